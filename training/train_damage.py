"""Train Heirloom's damage detector and (with --out) export, evaluate and write the model folder.

One command reproduces the shipped model (CPU only, ~1 h on 2 cores):
    /usr/bin/python3 training/train_damage.py --out models/damage-unet

Stages: train (checkpoints to --work), then export_onnx.py, evaluate.py, tile_overlap.py and
make_manifest.py on the final weights. Each stage can also be run on its own.
"""
import argparse
import contextlib
import math
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import damage  # noqa: E402
import photos  # noqa: E402
from model import DamageUNet, load_weights  # noqa: E402


EDGE_P = 0.25  # share of crops pushed against a photo border (where tears and worn edges go)
MIRROR_P = 0.8  # v2: share of border sides shown as the product's tiler shows them (mirrored context)
EDGE_WEIGHT = 2.0  # v2: extra loss weight of undamaged pixels on the photo's own strong edges


def mirror_borders(dam, mask, edges, rng):
    """The product's tiler feeds a tile at the photo's border with up to tileOverlap px of the
    photo mirrored past it (numpy 'reflect'). Show border crops the same way: shift the crop
    inward by 8-48 px of mirrored photo on a border side. Returns (dam, mask, valid), valid = 0
    on the mirrored pixels (not part of the photo: no loss there)."""
    h, w = mask.shape
    valid = np.ones((h, w), np.float32)
    for side in edges:
        if rng.random() >= MIRROR_P:
            continue
        p = 8 * int(rng.integers(1, 7))
        axis = 0 if side in ('top', 'bottom') else 1
        before = side in ('top', 'left')
        pad = [(0, 0)] * 3
        pad[axis] = (p, 0) if before else (0, p)
        dam = np.pad(dam, pad, mode='reflect')
        mask = np.pad(mask, pad[:2], mode='reflect')
        valid = np.pad(valid, pad[:2], mode='constant')
        n = h if axis == 0 else w
        keep = slice(0, n) if before else slice(p, p + n)
        dam, mask, valid = (a[keep] if axis == 0 else a[:, keep] for a in (dam, mask, valid))
    return dam, mask, valid


def edge_strength(look):
    """0..1: how strong the photo's own edges are (gradient of its blurred luminance)."""
    g = damage.gblur(damage.luminance(look), 0.8)
    gy, gx = np.gradient(g)
    return np.clip(np.hypot(gx, gy) * 6, 0, 1).astype(np.float32)


def batch(train, rng, n, size, gen='v1'):
    """v1: (x, y, None) as the first runs trained; v2: (x, y, weights) with mirrored borders
    and edge-weighted negatives."""
    xs, ys, ws = [], [], []
    for _ in range(n):
        _, p = train[int(rng.integers(len(train)))]
        crop, edges = damage.random_crop(p, rng, size, edge_p=EDGE_P)
        dam, mask, look = damage.make_sample(crop, rng, edges=edges)
        if gen != 'v1':
            weight = 1 + EDGE_WEIGHT * edge_strength(look) * (1 - mask)
            dam, mask, valid = mirror_borders(np.concatenate([dam, weight[..., None]], axis=2), mask, edges, rng)
            dam, weight = dam[..., :3], dam[..., 3] * valid
            ws.append(np.ascontiguousarray(weight)[None])
        xs.append(np.ascontiguousarray(dam).transpose(2, 0, 1))
        ys.append(np.ascontiguousarray(mask)[None])
    w = torch.from_numpy(np.stack(ws)) if ws else None
    return torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ys)), w


def loss_fn(logits, y, pos_weight, w=None):
    bce = F.binary_cross_entropy_with_logits(logits, y, weight=w, pos_weight=torch.as_tensor(pos_weight, device=logits.device))
    p = torch.sigmoid(logits)
    if w is not None:  # no Dice on mirrored pixels either
        valid = (w > 0).float()
        p, y = p * valid, y * valid
    inter = (p * y).sum()
    dice = 1 - (2 * inter + 1) / (p.sum() + y.sum() + 1)
    return bce + dice, bce.item(), dice.item()


def set_lr(opt, step, steps, lr, t0, minutes, warmup=50):
    """The scheduled learning rate for this step (lr_at, following the wall-time budget too);
    False once the budget of `minutes` is spent (0 = none)."""
    time_frac = (time.time() - t0) / (minutes * 60) if minutes else 0.0
    if time_frac >= 1.0:
        return False
    for g in opt.param_groups:
        g['lr'] = lr_at(step, steps, lr, warmup=warmup, time_frac=time_frac)
    return True


def optimise(model, opt, sample, pos_weight, bf16=False):
    """One Adam step on a batch (x, y, weights); returns (loss, bce, dice) for the log. bf16:
    the forward pass under CUDA autocast (train_gpu.py); the loss is always float32."""
    x, y, w = sample
    with torch.autocast('cuda', dtype=torch.bfloat16) if bf16 else contextlib.nullcontext():
        logits = model.logits(x)
    loss, bce, dice = loss_fn(logits.float(), y, pos_weight, w)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item(), bce, dice


def report(label, step, hist, opt, t0):
    """Every 20 steps: the mean losses since the last line; returns the history still to report."""
    if step % 20:
        return hist
    h = np.mean(hist, 0)
    print(f'{label} {step} loss {h[0]:.4f} bce {h[1]:.4f} dice {h[2]:.4f} lr {opt.param_groups[0]["lr"]:.2e} '
          f'elapsed {(time.time() - t0) / 60:.1f} min', flush=True)
    return []


def lr_at(step, steps, lr, warmup=50, time_frac=0.0):
    """Warm-up then cosine to 5% of lr. Progress is the further along of steps and wall time
    (--max-minutes), so a run cut short by its time budget still ends annealed."""
    if step < warmup:
        return lr * (step + 1) / warmup
    t = max((step - warmup) / max(1, steps - warmup), time_frac)
    t = min(1.0, t)
    return 0.05 * lr + 0.95 * lr * 0.5 * (1 + math.cos(math.pi * t))


def train(args):
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    damage.use_generator(args.gen)
    train_set = photos.training_photos(include_v2=args.gen != 'v1')
    print(f'{len(train_set)} training photos; held out: {photos.EVAL_PHOTOS}', flush=True)
    model = DamageUNet()
    if args.init:  # continue from earlier weights (of any width) with this run's data (a fresh optimiser)
        model = load_weights(args.init).train()
        print(f'initialised from {args.init}', flush=True)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    os.makedirs(args.work, exist_ok=True)
    ckpt = os.path.join(args.work, 'ckpt.pt')
    step = 0
    if args.resume and os.path.exists(ckpt):
        state = torch.load(ckpt)
        model.load_state_dict(state['model'])
        opt.load_state_dict(state['opt'])
        step = state['step']
        rng = np.random.default_rng([args.seed, step])  # continues deterministically from a checkpoint
        torch.manual_seed(args.seed + step)
        print(f'resumed at step {step}', flush=True)
    t0 = time.time()
    last_save = time.time()
    hist = []
    while step < args.steps:
        if not set_lr(opt, step, args.steps, args.lr, t0, args.max_minutes):
            print(f'stopping at step {step}: --max-minutes reached', flush=True)
            break
        hist.append(optimise(model, opt, batch(train_set, rng, args.batch, args.crop, args.gen), args.pos_weight))
        step += 1
        hist = report('step', step, hist, opt, t0)
        if time.time() - last_save > 180 or step == args.steps:
            torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'step': step}, ckpt + '.tmp')
            os.replace(ckpt + '.tmp', ckpt)
            torch.save(model.state_dict(), os.path.join(args.work, 'weights.pt'))
            last_save = time.time()
    torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'step': step}, ckpt)
    torch.save(model.state_dict(), os.path.join(args.work, 'weights.pt'))
    minutes = (time.time() - t0) / 60
    with open(os.path.join(args.work, 'train_info.txt'), 'w') as f:
        f.write(f'steps={step}\nminutes={minutes:.1f}\ncrop={args.crop}\nbatch={args.batch}\nlr={args.lr}\nseed={args.seed}\n'
                f'gen={args.gen}\npos_weight={args.pos_weight}\ninit={args.init or ""}\nphotos={len({name for name, _ in train_set})}\n')
    print(f'done: {step} steps in {minutes:.1f} min', flush=True)


def finetune(args):
    """Phase 2: continue from phase 1's weights (fresh Adam) with larger crops and a new cosine
    from --ft-lr over --ft-steps (or --ft-minutes of wall time, whichever comes first)."""
    torch.manual_seed(args.seed + 1)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed + 1)
    damage.use_generator(args.gen)
    train_set = photos.training_photos(include_v2=args.gen != 'v1')
    model = load_weights(os.path.join(args.work, 'weights.pt')).train()
    torch.save(model.state_dict(), os.path.join(args.work, 'weights_phase1.pt'))
    opt = torch.optim.Adam(model.parameters(), lr=args.ft_lr)
    t0 = time.time()
    hist = []
    step = 0
    while step < args.ft_steps:
        if not set_lr(opt, step, args.ft_steps, args.ft_lr, t0, args.ft_minutes, warmup=20):
            print(f'phase 2 stopping at step {step}: --ft-minutes reached', flush=True)
            break
        hist.append(optimise(model, opt, batch(train_set, rng, args.batch, args.ft_crop, args.gen), args.pos_weight))
        step += 1
        hist = report('ft step', step, hist, opt, t0)
        if step % 100 == 0:
            torch.save(model.state_dict(), os.path.join(args.work, 'weights_ft.pt'))
    torch.save(model.state_dict(), os.path.join(args.work, 'weights_ft.pt'))
    torch.save(model.state_dict(), os.path.join(args.work, 'weights.pt'))
    minutes = (time.time() - t0) / 60
    with open(os.path.join(args.work, 'train_info.txt'), 'a') as f:
        f.write(f'ft_steps={step}\nft_minutes={minutes:.1f}\nft_crop={args.ft_crop}\nft_lr={args.ft_lr}\n')
    print(f'phase 2 done: {step} steps in {minutes:.1f} min', flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', help='model folder to write (model.onnx, manifest.json); omit to only train')
    ap.add_argument('--work', default='/tmp/heirloom-train/run', help='checkpoints and scratch')
    ap.add_argument('--steps', type=int, default=2400)
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--crop', type=int, default=128)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--pos-weight', type=float, default=3.0)
    ap.add_argument('--seed', type=int, default=20261204)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--max-minutes', type=float, default=55, help='wall-time budget; the LR schedule follows it too (0 = none)')
    ap.add_argument('--resume', action='store_true')
    ap.add_argument('--gen', choices=sorted(damage.GENERATORS), default='v2', help='synthetic data generator (damage.py)')
    ap.add_argument('--init', help='start phase 1 from these weights instead of from scratch')
    ap.add_argument('--skip-train', action='store_true')
    ap.add_argument('--validation-json', default=os.path.join(HERE, 'validation.json'),
                    help="where --out's validation figures go (a candidate model keeps its own)")
    ap.add_argument('--ft-steps', type=int, default=1500, help='phase 2 steps (0 = no phase 2)')
    ap.add_argument('--ft-lr', type=float, default=5e-4)
    ap.add_argument('--ft-crop', type=int, default=192)
    ap.add_argument('--ft-minutes', type=float, default=14)
    ap.add_argument('--ft-only', action='store_true', help='run only phase 2 from WORK/weights.pt')
    args = ap.parse_args()
    if not args.skip_train and not args.ft_only:
        train(args)
    if not args.skip_train and args.ft_steps:
        finetune(args)
    if args.out:
        w0 = os.path.join(args.work, 'weights.pt')
        w = os.path.join(args.work, 'weights_final.pt')  # threshold folded into the head bias by export_onnx.py
        py = sys.executable
        for cmd in ([py, os.path.join(HERE, 'export_onnx.py'), '--weights', w0, '--out', args.out, '--work', args.work],
                    [py, os.path.join(HERE, 'evaluate.py'), '--weights', w, '--json', args.validation_json],
                    [py, os.path.join(HERE, 'tile_overlap.py'), '--weights', w, '--json', os.path.join(args.work, 'tile_overlap.json')],
                    ['node', os.path.join(HERE, 'check_onnx.mjs'), os.path.join(args.out, 'model.onnx'), args.work],
                    [py, os.path.join(HERE, 'make_manifest.py'), '--out', args.out, '--work', args.work]):
            print('+', ' '.join(cmd), flush=True)
            subprocess.run(cmd, check=True)


if __name__ == '__main__':
    main()
