"""Synthetic old-print damage with an exact per-pixel label.

`make_sample(clean, rng)` turns a clean RGB photo (float32 HxWx3 in [0, 1]) into
(damaged, mask, clean_look):
  1. photo look (not damage): B&W / sepia / faded colour with a cast, fading, gamma, optics blur,
     plus "hard negatives" painted into the photo itself: hair-like strand bundles, eye-like
     catch-lights, fine fabric stripes, so thin natural lines are seen as photo content;
  2. damage layers composited over it: emulsion crack networks, scratches, dust and specks,
     fibres/hairs, tears / missing corners / worn edges;
  3. the same scan blur / resampling applied to the clean-look and damaged images, then
     mask = max over channels |damaged - clean_look| > LABEL_THRESHOLD (so a soft edge is
     included where it visibly changed the pixel and invisible damage is not labelled);
  4. the same film grain and paper texture on both, JPEG on the damaged one.
All randomness comes from `rng` (numpy Generator): a fixed seed gives a fixed sample.
"""
import io
import math
import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

LABEL_THRESHOLD = 0.04  # ~10/255: the damage changed the pixel noticeably

# Generator settings. v1 made the first shipped model (old-look photos only); v2 adds crisp
# modern photos (a damaged modern print must not have its sharp outlines taken for damage),
# as many dark cracks as bright ones, and shaded rods (cigarettes, pens, collars) as photo
# content. `train_damage.py --gen v1|v2` picks one; v1 draws exactly the random numbers it did.
GENERATORS = {
    'v1': {'crisp_p': 0.0, 'dark_crack_p': 0.25, 'rods_p': 0.0},
    'v2': {'crisp_p': 0.3, 'dark_crack_p': 0.5, 'rods_p': 0.25},
    # v3: wide scratches (3-11 px) in 45 % of scratch layers instead of 20 % (3-8 px): v2 marked
    # only the two flanks of a wide line, which the product then took for outlines.
    'v3': {'crisp_p': 0.3, 'dark_crack_p': 0.5, 'rods_p': 0.25, 'wide_p': 0.45, 'wide_max': 12},
    # v4: v2 plus solid scratches. In v2 a scratch layer is full-opacity and even along its
    # length about 1 time in 16 (opacity 0.35-1, varied along the line 60 % of the time), so
    # a solid 5-9 px line, the commonest print scratch, was almost never seen and v2 leaves it.
    # Half of v4's scratch layers are solid (opacity 1, not varied, never broken into bars, the
    # cause suspected in v3); more rods (cigarettes, collars) keep short bright bars content.
    # Missing corners reach up to 0.6 of the crop (0.35 before): a 128 px crop never showed a
    # corner as big as a real one seen through the detector's 256 px tile, only its tip.
    'v4': {'crisp_p': 0.3, 'dark_crack_p': 0.5, 'rods_p': 0.35, 'wide_p': 0.4, 'wide_max': 11, 'solid_p': 0.5, 'corner_max': 0.6},
}
GEN = dict(GENERATORS['v2'])


def use_generator(name):
    GEN.clear()
    GEN.update(GENERATORS[name])


# ---------------------------------------------------------------- helpers
def lowfreq(rng, h, w, cells=6, lo=0.0, hi=1.0):
    """Smooth random field in [lo, hi] (bicubic upsampling of a small random grid)."""
    g = rng.random((cells, cells)).astype(np.float32)
    im = Image.fromarray(g)  # float32: mode F (the mode argument is deprecated in Pillow 11)
    im = im.resize((w, h), Image.BICUBIC)
    a = np.asarray(im, dtype=np.float32)
    a = (a - a.min()) / max(1e-6, a.max() - a.min())
    return lo + (hi - lo) * a


def gblur(a, sigma):
    if sigma <= 0.05:
        return a
    if a.ndim == 3:
        return ndimage.gaussian_filter(a, (sigma, sigma, 0), mode='reflect')
    return ndimage.gaussian_filter(a, sigma, mode='reflect')


def luminance(img):
    return img @ np.array([0.299, 0.587, 0.114], np.float32)


def bezier(p0, p1, p2, n):
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t ** 2 * p2


def new_layer(h, w):
    im = Image.new('L', (w, h), 0)
    return im, ImageDraw.Draw(im)


def to_alpha(im):
    return np.asarray(im, dtype=np.float32) / 255.0


# ---------------------------------------------------------------- photo look (no label)
def photo_look(img, rng):
    h, w, _ = img.shape
    if GEN['crisp_p'] > 0 and rng.random() < GEN['crisp_p']:  # a modern, unfaded photo as it is
        if GEN['rods_p'] > 0 and rng.random() < GEN['rods_p']:
            img = paint_rods(img, rng)
        return np.clip(img, 0, 1).astype(np.float32)
    g = luminance(img)
    r = rng.random()
    if r < 0.40:  # black and white
        img = np.repeat(g[..., None], 3, axis=2)
    elif r < 0.70:  # sepia / brown tone
        tone = np.array([1.0, rng.uniform(0.78, 0.9), rng.uniform(0.55, 0.75)], np.float32)
        mix = rng.uniform(0.7, 1.0)
        img = mix * np.clip(g[..., None] * tone * rng.uniform(1.0, 1.15), 0, 1) + (1 - mix) * img
    else:  # faded colour, cast, desaturation
        sat = rng.uniform(0.3, 1.0)
        img = g[..., None] + sat * (img - g[..., None])
        cast = 1 + rng.normal(0, 0.08, 3).astype(np.float32)
        img = img * cast
    # hard negatives painted into the photo (they are NOT damage)
    img = np.clip(img, 0, 1).astype(np.float32)
    if rng.random() < 0.35:
        img = paint_strands(img, rng)
    if rng.random() < 0.3:
        img = paint_eyes(img, rng)
    if rng.random() < 0.12:
        img = paint_fabric(img, rng)
    if GEN['rods_p'] > 0 and rng.random() < GEN['rods_p']:
        img = paint_rods(img, rng)
    # fading and gamma
    lo = rng.uniform(0.0, 0.22) if rng.random() < 0.7 else 0.0
    hi = rng.uniform(0.72, 1.0) if rng.random() < 0.7 else 1.0
    img = lo + (hi - lo) * np.clip(img, 0, 1) ** rng.uniform(0.7, 1.4)
    if rng.random() < 0.3:  # uneven fading
        img = img * lowfreq(rng, h, w, 3, rng.uniform(0.8, 1.0), 1.0)[..., None]
    if rng.random() < 0.4:  # soft optics
        img = gblur(img, rng.uniform(0.3, 1.2))
    return np.clip(img, 0, 1).astype(np.float32)


def paint_strands(img, rng):
    """Bundles of thin, roughly parallel curves, like hair or grass: photo content."""
    h, w, _ = img.shape
    im, d = new_layer(h, w)
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    ang = rng.uniform(0, math.pi)
    length = rng.uniform(20, 120)
    bend = rng.normal(0, 0.4)
    for _ in range(rng.integers(6, 40)):
        ox, oy = rng.normal(0, 12, 2)
        a = ang + rng.normal(0, 0.08)
        p0 = np.array([cx + ox, cy + oy])
        p2 = p0 + length * rng.uniform(0.6, 1.2) * np.array([math.cos(a), math.sin(a)])
        p1 = (p0 + p2) / 2 + bend * length * np.array([-math.sin(a), math.cos(a)])
        pts = bezier(p0, p1, p2, 24)
        d.line([tuple(p) for p in pts], fill=int(rng.uniform(80, 255)), width=1)
    a = gblur(to_alpha(im), rng.uniform(0.3, 0.8)) * rng.uniform(0.3, 0.8)
    col = luminance(img).mean() + rng.choice([-1, 1]) * rng.uniform(0.15, 0.4)
    return img * (1 - a[..., None]) + np.clip(col, 0, 1) * a[..., None]


def paint_eyes(img, rng):
    """Dark round iris with a small bright catch-light: photo content."""
    h, w, _ = img.shape
    for _ in range(rng.integers(1, 3)):
        im, d = new_layer(h, w)
        x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(3, 12)
        d.ellipse([x - r, y - r, x + r, y + r], fill=255)
        a = gblur(to_alpha(im), r * 0.25) * rng.uniform(0.6, 0.95)
        img = img * (1 - a[..., None]) + rng.uniform(0.02, 0.2) * a[..., None]
        im, d = new_layer(h, w)
        cr = rng.uniform(0.6, max(0.8, r * 0.3))
        cx, cy = x + rng.uniform(-0.5, 0.5) * r, y + rng.uniform(-0.5, 0.5) * r
        d.ellipse([cx - cr, cy - cr, cx + cr, cy + cr], fill=255)
        a = gblur(to_alpha(im), 0.5) * rng.uniform(0.6, 1.0)
        img = img * (1 - a[..., None]) + rng.uniform(0.8, 1.0) * a[..., None]
    return img


def paint_rods(img, rng):
    """Short shaded rods: a cigarette, a pen, a collar's edge: bright, thin, straight photo
    content with a soft shadowed side and a darker tip, which damage is not."""
    h, w, _ = img.shape
    for _ in range(rng.integers(1, 4)):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        ang = rng.uniform(0, math.pi)
        length = rng.uniform(12, 70)
        width = rng.uniform(3, 10)
        dx, dy = math.cos(ang), math.sin(ang)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        t = (xx - x) * dx + (yy - y) * dy  # along the rod
        n = -(xx - x) * dy + (yy - y) * dx  # across it
        inside = (np.abs(n) <= width / 2) & (t >= 0) & (t <= length)
        shade = np.clip(1 - 0.45 * ((n / (width / 2)) + 0.3) ** 2, 0.35, 1)  # a lit cylinder
        tone = rng.uniform(0.8, 1.0) * shade
        tip = rng.uniform(0.1, 0.4)
        tone = np.where(t > length - rng.uniform(2, 6), tip, tone)
        a = gblur(inside.astype(np.float32), rng.uniform(0.3, 0.8))
        img = img * (1 - a[..., None]) + (tone * a)[..., None] * np.array([1.0, rng.uniform(0.92, 1.0), rng.uniform(0.8, 1.0)], np.float32)
    return np.clip(img, 0, 1).astype(np.float32)


def paint_fabric(img, rng):
    """Fine periodic stripes (textile, wallpaper) in a smooth region: photo content."""
    h, w, _ = img.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = rng.uniform(0, math.pi)
    period = rng.uniform(2.5, 7)
    s = 0.5 + 0.5 * np.sin((xx * math.cos(a) + yy * math.sin(a)) * 2 * math.pi / period)
    region = lowfreq(rng, h, w, 4) > rng.uniform(0.4, 0.7)
    region = gblur(region.astype(np.float32), 3)
    amp = rng.uniform(0.05, 0.15)
    return np.clip(img + (amp * (s - 0.5) * region)[..., None], 0, 1)


# ---------------------------------------------------------------- damage layers
def damage_colour(rng, img, bright):
    if bright:
        paper = np.array([1.0, rng.uniform(0.93, 1.0), rng.uniform(0.82, 1.0)], np.float32)
        return paper * rng.uniform(0.82, 1.0)
    return np.full(3, rng.uniform(0.0, 0.25), np.float32)


def draw_crack(d, rng, x, y, ang, length, width, depth=0):
    pts = [(x, y)]
    travelled = 0.0
    ang0 = ang
    while travelled < length:
        step = rng.uniform(2, 7)
        ang += rng.normal(0, 0.4)
        ang = ang0 + 0.8 * (ang - ang0)  # jagged but keeps a heading
        ang0 += rng.normal(0, 0.05)
        x += step * math.cos(ang)
        y += step * math.sin(ang)
        pts.append((x, y))
        travelled += step
        if depth < 3 and rng.random() < 0.06:
            draw_crack(d, rng, x, y, ang + rng.choice([-1, 1]) * rng.uniform(0.5, 1.4),
                       length * rng.uniform(0.2, 0.6), max(1, width - 1), depth + 1)
    d.line(pts, fill=255, width=int(width), joint='curve')


def layer_cracks(h, w, rng):
    im, d = new_layer(h, w)
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    spread = rng.uniform(20, max(h, w))
    for _ in range(rng.integers(1, 12)):
        x, y = cx + rng.normal(0, spread / 2), cy + rng.normal(0, spread / 2)
        width = rng.choice([1, 1, 1, 2, 2, 3, 4])
        draw_crack(d, rng, x, y, rng.uniform(0, 2 * math.pi), rng.uniform(15, 1.2 * max(h, w)), width)
    a = to_alpha(im)
    return gblur(a, rng.uniform(0.0, 0.7)), True


def layer_scratches(h, w, rng):
    """(alpha, None, solid): `solid` layers are drawn at full opacity (add_damage)."""
    im, d = new_layer(h, w)
    n = rng.integers(1, 5)
    wide = rng.random() < GEN.get('wide_p', 0.2)
    solid = 'solid_p' in GEN and rng.random() < GEN['solid_p']
    for _ in range(n):
        ang = rng.uniform(0, math.pi) if rng.random() < 0.6 else rng.choice([0.0, math.pi / 2]) + rng.normal(0, 0.1)
        L = rng.uniform(0.3, 1.5) * max(h, w)
        c = np.array([rng.uniform(0, w), rng.uniform(0, h)])
        dv = np.array([math.cos(ang), math.sin(ang)])
        p0, p2 = c - dv * L / 2, c + dv * L / 2
        p1 = c + rng.normal(0, 0.06) * L * np.array([-dv[1], dv[0]])
        pts = bezier(p0, p1, p2, 40)
        width = int(rng.uniform(3, GEN.get('wide_max', 9))) if wide else int(rng.choice([1, 1, 2, 2, 3, 4]))
        d.line([tuple(p) for p in pts], fill=255, width=width, joint='curve')
    a = to_alpha(im)
    a = gblur(a, rng.uniform(0.0, 1.2))
    if solid:
        return a, None, True
    if rng.random() < 0.6:  # varying opacity along the scratch, sometimes broken
        f = lowfreq(rng, h, w, int(rng.integers(3, 10)))
        if rng.random() < 0.3:
            f = (f > 0.35).astype(np.float32)
        a = a * (0.25 + 0.75 * f)
    return a, None


def layer_dust(h, w, rng):
    im, d = new_layer(h, w)
    area = h * w / (256 * 256)
    n = int(rng.integers(3, 60) * area) + 1
    for _ in range(n):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        r = min(5.0, rng.exponential(1.3) + 0.5)
        for _ in range(rng.integers(1, 4)):
            rx, ry = r * rng.uniform(0.5, 1.2), r * rng.uniform(0.5, 1.2)
            ox, oy = rng.normal(0, r / 3, 2)
            d.ellipse([x + ox - rx, y + oy - ry, x + ox + rx, y + oy + ry], fill=255)
    a = gblur(to_alpha(im), rng.uniform(0.0, 0.8))
    return a, None


def layer_hairs(h, w, rng):
    im, d = new_layer(h, w)
    for _ in range(rng.integers(1, 5)):
        p0 = np.array([rng.uniform(0, w), rng.uniform(0, h)])
        ang = rng.uniform(0, 2 * math.pi)
        L = rng.uniform(10, 70)
        p2 = p0 + L * np.array([math.cos(ang), math.sin(ang)])
        p1 = (p0 + p2) / 2 + rng.normal(0, 0.35) * L * np.array([-math.sin(ang), math.cos(ang)])
        pts = bezier(p0, p1, p2, 20)
        d.line([tuple(p) for p in pts], fill=255, width=int(rng.choice([1, 1, 2])), joint='curve')
    return gblur(to_alpha(im), rng.uniform(0.2, 0.7)), None


SIDES = ('top', 'bottom', 'left', 'right')


def layer_tear(h, w, rng, edges=SIDES):
    """Missing corner, small tear or worn edge: paper-white region attached to a border of the
    print. `edges`: which sides of this image are real borders of the print (a training crop
    from inside a photo has none, so it gets no tear: white regions inside a photo are content)."""
    im, d = new_layer(h, w)
    if not edges:
        return to_alpha(im), True
    corners = [(x, y) for x, sx in ((0, 'left'), (w, 'right')) for y, sy in ((0, 'top'), (h, 'bottom'))
               if sx in edges and sy in edges]
    kind = rng.random()
    if kind < 0.45 and corners:  # corner
        cx, cy = corners[int(rng.integers(len(corners)))]
        size = rng.uniform(8, GEN.get('corner_max', 0.35) * min(h, w))
        n = 14
        pts = [(cx, cy)]
        for i in range(n + 1):
            t = i / n
            r = size * rng.uniform(0.6, 1.1)
            ax = (1 - t) * (1 if cx == 0 else -1)
            ay = t * (1 if cy == 0 else -1)
            pts.append((cx + ax * r * rng.uniform(0.8, 1.2), cy + ay * r * rng.uniform(0.8, 1.2)))
        d.polygon(pts, fill=255)
    else:  # worn edge band or a small tear from one side
        side = SIDES.index(edges[int(rng.integers(len(edges)))])
        L = w if side < 2 else h
        start, end = sorted(rng.uniform(0, L, 2))
        if rng.random() < 0.5:
            start, end = 0, L
        depth_max = rng.uniform(2, 18) if kind < 0.8 else rng.uniform(10, 0.3 * min(h, w))
        m = max(4, int((end - start) / 4))
        ts = np.linspace(start, end, m)
        depths = np.abs(np.convolve(rng.normal(0, 1, m), np.ones(3) / 3, 'same')) * depth_max * 0.7
        depths[0] = depths[-1] = 0 if (end - start) < L else depths[0]
        pts = []
        for t, dep in zip(ts, depths):
            pts.append({0: (t, dep), 1: (t, h - 1 - dep), 2: (dep, t), 3: (w - 1 - dep, t)}[side])
        base = {0: [(end, -2), (start, -2)], 1: [(end, h + 1), (start, h + 1)],
                2: [(-2, end), (-2, start)], 3: [(w + 1, end), (w + 1, start)]}[side]
        d.polygon(pts + base, fill=255)
    a = gblur(to_alpha(im), rng.uniform(0.3, 1.0))
    return a, True


LAYERS = [(layer_cracks, 0.45), (layer_scratches, 0.55), (layer_dust, 0.6),
          (layer_hairs, 0.3), (layer_tear, 0.35)]


def add_damage(img, rng, edges=SIDES):
    h, w, _ = img.shape
    out = img.copy()
    chosen = [f for f, p in LAYERS if rng.random() < (p if f is not layer_tear or edges else 0)]
    if not chosen:
        chosen = [LAYERS[int(rng.integers(0, 3))][0]]
    for f in chosen:
        drawn = f(h, w, rng, edges) if f is layer_tear else f(h, w, rng)
        a, force_bright = drawn[:2]
        solid = len(drawn) > 2 and drawn[2]
        bright = force_bright if force_bright is not None else rng.random() < 0.6
        if f is layer_cracks and rng.random() < GEN['dark_crack_p']:
            bright = False
        op = 1.0 if solid else rng.uniform(0.85, 1.0) if f is layer_tear else rng.uniform(0.35, 1.0)
        col = damage_colour(rng, img, bright)
        if f is layer_tear and rng.random() < 0.5:  # paper texture inside the missing area
            col = col[None, None, :] * lowfreq(rng, h, w, 8, 0.9, 1.0)[..., None]
        a = (a * op)[..., None]
        out = out * (1 - a) + col * a
    return out.astype(np.float32)


# ---------------------------------------------------------------- scan / print degradations
def scan_shared(stack, rng):
    """Blur / resample applied identically to clean and damaged (stacked on channels)."""
    h, w, c = stack.shape
    if rng.random() < 0.3:
        stack = gblur(stack, rng.uniform(0.3, 1.0))
    if rng.random() < 0.3:
        s = rng.uniform(0.5, 0.9)
        sw, sh = max(8, int(w * s)), max(8, int(h * s))
        chans = []
        for i in range(c):
            im = Image.fromarray(np.ascontiguousarray(stack[..., i], dtype=np.float32)).resize((sw, sh), Image.BILINEAR)
            chans.append(np.asarray(im.resize((w, h), Image.BILINEAR)))
        stack = np.stack(chans, axis=2)
    return stack


def grain_and_paper(rng, h, w):
    """(additive grain HxWx1, multiplicative paper texture HxWx1)."""
    sigma = rng.uniform(0.0, 0.05) if rng.random() < 0.8 else 0.0
    g = rng.normal(0, 1, (h, w)).astype(np.float32)
    if rng.random() < 0.5:
        g = gblur(g, rng.uniform(0.4, 1.0))
        g /= max(1e-6, g.std())
    paper = np.ones((h, w), np.float32)
    if rng.random() < 0.4:
        paper = lowfreq(rng, h, w, 12, 1 - rng.uniform(0.02, 0.08), 1.0)
        paper *= 1 + rng.normal(0, rng.uniform(0.005, 0.02), (h, w)).astype(np.float32)
    return (sigma * g)[..., None], paper[..., None]


def jpeg(img, q):
    buf = io.BytesIO()
    Image.fromarray((np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)).save(buf, 'JPEG', quality=int(q))
    buf.seek(0)
    return np.asarray(Image.open(buf), dtype=np.float32) / 255.0


def make_sample(clean, rng, p_clean=0.2, damage=None, edges=SIDES):
    """clean: HxWx3 float32 [0,1]; edges: which sides are borders of the print (all for a whole
    photo). Returns (damaged, mask HxW float32 {0,1}, clean_look)."""
    h, w, _ = clean.shape
    look = photo_look(clean, rng)
    do_damage = (rng.random() >= p_clean) if damage is None else damage
    dam = add_damage(look, rng, edges) if do_damage else look
    stack = scan_shared(np.concatenate([look, dam], axis=2), rng)
    look, dam = stack[..., :3], stack[..., 3:]
    mask = (np.abs(dam - look).max(axis=2) > LABEL_THRESHOLD).astype(np.float32)
    g, paper = grain_and_paper(rng, h, w)
    look = np.clip(look * paper + g, 0, 1)
    dam = np.clip(dam * paper + g, 0, 1)
    if rng.random() < 0.4:
        dam = jpeg(dam, rng.uniform(35, 92))
    return dam.astype(np.float32), mask, look.astype(np.float32)


def random_crop(photo, rng, size, edge_p=0.0):
    """Random-scale crop of a uint8 HxWx3 photo to size x size float32, flips/rot90.
    With probability edge_p the crop is pushed against one or two borders of the photo.
    Returns (crop, edges): the sides of the crop that are borders of the photo."""
    h, w, _ = photo.shape
    smin = size / min(h, w)
    s = rng.uniform(max(smin, 0.35), max(smin, 1.1))
    cw = min(w, int(round(size / s)))
    ch = min(h, int(round(size / s)))
    x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    if rng.random() < edge_p:
        if rng.random() < 0.7:
            x = int(rng.choice([0, w - cw]))
        if rng.random() < 0.7:
            y = int(rng.choice([0, h - ch]))
    marks = np.zeros((3, 3), np.int8)  # track which sides are photo borders through flips/rotations
    marks[0, 1], marks[2, 1], marks[1, 0], marks[1, 2] = y == 0, y + ch == h, x == 0, x + cw == w
    im = Image.fromarray(photo[y:y + ch, x:x + cw]).resize((size, size), Image.BILINEAR)
    a = np.asarray(im, dtype=np.float32) / 255.0
    k = int(rng.integers(0, 4))
    if rng.random() < 0.5:
        a, marks = a[:, ::-1], marks[:, ::-1]
    a, marks = np.rot90(a, k), np.rot90(marks, k)
    edges = tuple(side for side, (i, j) in zip(SIDES, ((0, 1), (2, 1), (1, 0), (1, 2))) if marks[i, j])
    return np.ascontiguousarray(a), edges
