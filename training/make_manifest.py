"""Write models/damage-unet/manifest.json from the exported model and the measurements.

    /usr/bin/python3 training/make_manifest.py --out models/damage-unet --work /tmp/heirloom-train/run
Reads WORK/export_info.json (export_onnx.py), WORK/tile_overlap.json (tile_overlap.py) and
WORK/train_info.txt (train_damage.py).
"""
import argparse
import hashlib
import json
import os


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--work', default='/tmp/heirloom-train/run')
    ap.add_argument('--seed', type=int, default=20261204)
    args = ap.parse_args()
    path = os.path.join(args.out, 'model.onnx')
    data = open(path, 'rb').read()
    info = json.load(open(os.path.join(args.work, 'export_info.json')))
    tiles = json.load(open(os.path.join(args.work, 'tile_overlap.json')))
    train = dict(line.strip().split('=') for line in open(os.path.join(args.work, 'train_info.txt')) if '=' in line)
    if train.get('device', 'cpu') != 'cpu':  # training/train_gpu.py: from scratch, then continued
        how = (f"Trained by training/train_gpu.py on one {train['device']} ({train.get('workers')} CPU workers making "
               f"the data): from scratch for {train.get('minutes1')} min, then continued for {train.get('minutes')} min "
               f"(seeds {train.get('seed1')}, {train.get('seed')}; {train.get('steps1')} + {train.get('steps')} steps of "
               f"batch {train.get('batch')} x {train.get('crop')} px crops, generator {train.get('gen')}; Adam, BCE+Dice, bf16)")
    elif train.get('init'):  # a v2 run continues from the v1 weights (training/reproduce.sh runs both)
        how = (f"Trained by training/reproduce.sh: the generator-v1 run of training/train_damage.py, then continued with "
               f"generator {train.get('gen')} from those weights (seed {train.get('seed', args.seed)}, "
               f"{train.get('steps')} steps of batch {train.get('batch', 8)} x {train.get('crop', 128)} px crops in "
               f"{train.get('minutes')} min, then {train.get('ft_steps', 0)} fine-tune steps on {train.get('ft_crop', '-')} px "
               f"crops in {train.get('ft_minutes', 0)} min; Adam, BCE+Dice, 2 shared CPU cores)")
    else:
        how = (f"Trained from scratch by training/train_damage.py (seed {args.seed}, {train.get('steps')} steps of "
               f"batch {train.get('batch', 8)} x {train.get('crop', 128)} px crops in {train.get('minutes')} min; "
               "Adam, BCE+Dice, 2 shared CPU cores)")
    photo_count = train.get('photos', '34')
    manifest = {
        'id': 'damage-unet',
        'name': 'Heirloom damage detector (scratches, cracks, dust)',
        'task': 'damage-detect',
        'scale': 1,
        'file': 'model.onnx',
        'sha256': hashlib.sha256(data).hexdigest(),
        'sizeBytes': len(data),
        'input': {'name': 'image', 'layout': 'NCHW', 'channels': 'RGB', 'range': [0, 1]},
        'output': {'name': 'mask', 'range': [0, 1]},
        'tileOverlap': tiles['tileOverlap'],
        'sizeMultiple': info['sizeMultiple'],
        'weightsPrecision': 'fp32',
        'cost': {
            'flopsPerInputPixel': info['flopsPerInputPixel'],
            'activationBytesPerInputPixel': info['activationBytesPerInputPixel'],
            'weightBytes': info['weightBytes'],
        },
        'licence': {'name': 'MIT', 'file': 'LICENSE', 'source': 'trained by training/train_damage.py in this repository'},
        'source': 'bundled',
        'origin': (f"{how}: a 4-level U-Net "
                   f"({info['params']} parameters) on synthetic scratches, cracks, dust and tears over {photo_count} clean "
                   "photos from Debian packages (python3-skimage data, lomiri-wallpapers, mate-backgrounds, matplotlib's sample portrait; see "
                   "training/README.md), the held-out photos of training/eval_photos.json excluded; exported to "
                   f"ONNX opset {info['opset']} by training/export_onnx.py."),
    }
    with open(os.path.join(args.out, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')
    print(json.dumps(manifest, indent=2))


if __name__ == '__main__':
    main()
