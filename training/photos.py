"""Photo sources for the damage detector: which clean photos are trained on, which are held out.

Every photo here is a clean photograph from a Debian package (no internet needed):
  * python3-skimage 0.19.3 (bookworm), directory skimage/data/ - licences in skimage/data/_fetchers.py
  * lomiri-wallpapers-16.04 / lomiri-wallpapers-20.04 20.04.0-2, mate-backgrounds 1.26.0-1
    (licences from each package's debian/copyright, repeated below per file)

The held-out evaluation photos (EVAL_PHOTOS, also in training/eval_photos.json) are never
loaded by the training code: `training_photos()` asserts it.
"""
import json
import os
import subprocess
import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SKIMAGE_DATA = '/usr/lib/python3/dist-packages/skimage/data'
CACHE = os.environ.get('HEIRLOOM_TRAIN_CACHE', '/tmp/heirloom-train')

with open(os.path.join(HERE, 'eval_photos.json')) as f:
    EVAL_PHOTOS = json.load(f)['photos']

# (package, version, path inside the package, licence, author)
SK = ('python3-skimage', '0.19.3-8', SKIMAGE_DATA)
TRAIN_SKIMAGE = [
    ('brick.png', 'CC0 (CC0Textures Bricks25, via scikit-image)'),
    ('grass.png', 'CC0 (DeviantArt linolafett Grass-01, via scikit-image)'),
    ('gravel.png', 'CC0 (CC0Textures Gravel04, via scikit-image)'),
    ('moon.png', 'no known copyright restrictions (scikit-image)'),
    ('page.png', 'no known copyright restrictions (scikit-image: scanned book page)'),
    ('text.png', 'public domain (Wikipedia File:Corner.png, via scikit-image)'),
    ('retina.jpg', 'CC0 1.0 (Mikael Haggstrom, Wikimedia Commons, via scikit-image)'),
    ('ihc.png', 'no known copyright restrictions (CMMI, via scikit-image)'),
]
LOMIRI16 = ('lomiri-wallpapers-16.04', '20.04.0-2', 'usr/share/backgrounds')
LOMIRI20 = ('lomiri-wallpapers-20.04', '20.04.0-2', 'usr/share/backgrounds')
MATE = ('mate-backgrounds', '1.26.0-1', 'usr/share/backgrounds/mate/nature')
TRAIN_DEBIAN = [
    (LOMIRI16, 'Bridge_by_Sander_Klootwijk.jpg', 'CC-BY-SA-4.0, Sander Klootwijk 2018'),
    (LOMIRI16, 'Dragonfly_by_Bolly.jpg', 'CC-BY-SA-4.0, "Bolly" 2018'),
    (LOMIRI16, 'Picture_0B_by_freespace.jpg', 'CC-BY-4.0, Trevor "Freespace" 2018'),
    (LOMIRI16, 'Picture_1A_by_freespace.jpg', 'CC-BY-4.0, Trevor "Freespace" 2018'),
    (LOMIRI16, 'Wine_by_Jakkub_Mede.jpg', 'CC-BY-4.0, Jakub Mede 2018'),
    (LOMIRI16, 'aitzgorri_by_Aitzol_Berasategi.jpg', 'CC-BY-4.0, Aitzol Berasategi 2018'),
    (LOMIRI16, 'free_by_Peter_Nerlich.jpg', 'CC-BY-SA-4.0, Peter Nerlich 2018'),
    (LOMIRI16, 'friends_by_Aitzol_Berasategi.jpg', 'CC-BY-4.0, Aitzol Berasategi 2018'),
    (LOMIRI16, 'greentock_by_Peter_Nerlich.jpg', 'CC-BY-SA-4.0, Peter Nerlich 2018'),
    (LOMIRI16, 'life_by_Aitzol_Berasategi.jpg', 'CC-BY-4.0, Aitzol Berasategi 2018'),
    (LOMIRI16, 'picosdeeuropa_by_Aitzol_Berasategi.jpg', 'CC-BY-4.0, Aitzol Berasategi 2018'),
    (LOMIRI16, 'seeding_by_Clements_Engelhardt.jpg', 'CC0-1.0, Clemens Engelhardt 2018'),
    (LOMIRI16, 'sunset_by_Aitzol_Berasategi.jpg', 'CC-BY-4.0, Aitzol Berasategi 2018'),
    (LOMIRI20, 'Kleiber_by_Lukas_Baubkus.jpg', 'CC-BY-SA-3.0, Lukas Baubkus 2021'),
    (MATE, 'Aqua.jpg', 'GPL-2+ (mate-backgrounds debian/copyright)'),
    (MATE, 'Blinds.jpg', 'GPL-2+, Lennart Poettering, Andrea Cimitan 2008'),
    (MATE, 'Dune.jpg', 'GPL-2+, Marco Cogoni 2007, Hylke Bons 2008'),
    (MATE, 'FreshFlower.jpg', 'GPL-2+, Jens Ansorg 2005'),
    (MATE, 'Garden.jpg', 'GPL-2+ (mate-backgrounds debian/copyright)'),
    (MATE, 'GreenMeadow.jpg', 'GPL-2+, Timothy Schellhase 2005, Lapo Calamandrei 2008'),
    (MATE, 'LadyBird.jpg', 'GPL-2+ (mate-backgrounds debian/copyright)'),
    (MATE, 'RainDrops.jpg', 'GPL-2+, "blackcombwhistler07" 2008'),
    (MATE, 'Storm.jpg', 'GPL-2+, Sergey Nazarov 2008'),
    (MATE, 'TwoWings.jpg', 'GPL-2+, Charles Barbin 2008, Hylke Bons 2008'),
    (MATE, 'Wood.jpg', 'GPL-2+, Jean-Francois Fortin Tam 2008'),
    (MATE, 'YellowFlower.jpg', 'GPL-2+ (mate-backgrounds debian/copyright)'),
]

# python-matplotlib-data 3.6.3 (bookworm): US Navy photograph of Rear Admiral Grace Hopper,
# public domain (work of the U.S. federal government). The only portrait among the training
# photos (added for generator v2: faces, eyes and a white collar as photo content).
MATPLOTLIB_SAMPLES = '/usr/share/matplotlib/mpl-data/sample_data'
TRAIN_MATPLOTLIB = [('grace_hopper.jpg', 'public domain (U.S. Navy photograph, via matplotlib sample data)')]

MAX_SIDE = 1024  # wallpapers are 1.3k-6k px; old-print scans are ~500-1000 px


def _extract(pkg):
    """apt-get download + dpkg-deb -x of a Debian package into CACHE/ext/<pkg>; returns the root."""
    root = os.path.join(CACHE, 'ext', pkg)
    if not os.path.isdir(root):
        debs = os.path.join(CACHE, 'debs')
        os.makedirs(debs, exist_ok=True)
        subprocess.run(['apt-get', 'download', pkg], cwd=debs, check=True)
        deb = [f for f in os.listdir(debs) if f.startswith(pkg + '_')][0]
        os.makedirs(root, exist_ok=True)
        subprocess.run(['dpkg-deb', '-x', os.path.join(debs, deb), root], check=True)
    return root


def load_rgb(path, max_side=None):
    im = Image.open(path)
    im = im.convert('RGB')
    if max_side and max(im.size) > max_side:
        s = max_side / max(im.size)
        im = im.resize((round(im.size[0] * s), round(im.size[1] * s)), Image.LANCZOS)
    return np.asarray(im, dtype=np.uint8)


def training_photos(include_v2=True):
    """[(name, HxWx3 uint8)] for every training photo, never an eval photo. include_v2=False
    gives the 34 photos the v1 runs trained on."""
    out = []
    if include_v2:
        for name, _ in TRAIN_MATPLOTLIB:
            assert name not in EVAL_PHOTOS
            portrait = load_rgb(os.path.join(MATPLOTLIB_SAMPLES, name), MAX_SIDE)
            out.extend([(name, portrait)] * 3)  # drawn 3x as often: the only face
    for name, _ in TRAIN_SKIMAGE:
        assert name not in EVAL_PHOTOS
        out.append((name, load_rgb(os.path.join(SKIMAGE_DATA, name), MAX_SIDE)))
    for (pkg, _ver, sub), name, _ in TRAIN_DEBIAN:
        assert name not in EVAL_PHOTOS
        cache = os.path.join(CACHE, 'photos', name + '.npy')
        if os.path.exists(cache):
            arr = np.load(cache)
        else:
            arr = load_rgb(os.path.join(_extract(pkg), sub, name), MAX_SIDE)
            os.makedirs(os.path.dirname(cache), exist_ok=True)
            np.save(cache, arr)
        out.append((name, arr))
    return out


def eval_photos():
    return [(name, load_rgb(os.path.join(SKIMAGE_DATA, name))) for name in EVAL_PHOTOS]


def write_pack(out):
    """The training photos as files in `out` (pack.json + images) for a machine without the
    Debian packages (train_gpu.py --pack). JPEG originals are stored as JPEG quality 95, the
    rest as PNG; a photo drawn k times is listed once with repeat k."""
    os.makedirs(out, exist_ok=True)
    entries = []
    seen = {}
    for name, arr in training_photos():
        if name in seen:
            entries[seen[name]]['repeat'] += 1
            continue
        jpeg = name.lower().endswith('.jpg')
        file = f'{len(entries):02d}_{os.path.splitext(name)[0]}.{"jpg" if jpeg else "png"}'
        Image.fromarray(arr).save(os.path.join(out, file), **({'quality': 95} if jpeg else {}))
        seen[name] = len(entries)
        entries.append({'name': name, 'file': file, 'repeat': 1})
    with open(os.path.join(out, 'pack.json'), 'w') as f:
        json.dump({'photos': entries}, f, indent=1)
    return entries


def packed_photos(pack):
    """[(name, HxWx3 uint8)] from a pack written by write_pack, each photo `repeat` times."""
    with open(os.path.join(pack, 'pack.json')) as f:
        entries = json.load(f)['photos']
    out = []
    for e in entries:
        assert e['name'] not in EVAL_PHOTOS
        out.extend([(e['name'], load_rgb(os.path.join(pack, e['file'])))] * e['repeat'])
    return out


if __name__ == '__main__':
    import sys
    print(f'{len(write_pack(sys.argv[1]))} photos packed into {sys.argv[1]}')
