"""Train the damage detector on one CUDA GPU, with the synthetic damage made on the CPU cores.

The generator (damage.py) is numpy on the CPU; a GPU trains this small U-Net far faster than
one core makes its data, so many DataLoader workers each make whole batches, and several
networks (--arch, one entry each) train side by side on the very same batches: one run
compares a continuation of the shipped weights with wider networks from scratch.

    python3 training/train_gpu.py --pack DIR --work OUT --minutes 7.5 \
        --arch small:/path/weights.pt --arch wide

`--pack` is a photo pack made by `pack_photos.py` (the training photos as files, since the
GPU machine has none of the Debian packages they come from). Weights are saved every minute
as OUT/<name>.pt (a state dict, loadable by export_onnx.py with --arch), and at the end.
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import damage  # noqa: E402
import photos  # noqa: E402
from model import ARCHS, DamageUNet  # noqa: E402
from train_damage import batch, lr_at, optimise, set_lr  # noqa: E402


class Batches(torch.utils.data.IterableDataset):
    """Endless batches from damage.py, each worker with its own seeded generator."""

    def __init__(self, pack, gen, size, n, seed):
        self.pack, self.gen, self.size, self.n, self.seed = pack, gen, size, n, seed

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        wid = info.id if info else 0
        torch.set_num_threads(1)
        damage.use_generator(self.gen)
        train = photos.packed_photos(self.pack)
        rng = np.random.default_rng([self.seed, wid])
        while True:
            yield batch(train, rng, self.n, self.size, self.gen)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--pack', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--arch', action='append', required=True, help='NAME[:INIT_WEIGHTS]; NAME from model.ARCHS')
    ap.add_argument('--minutes', type=float, default=7.5, help='wall-time budget of the training loop')
    ap.add_argument('--gen', choices=sorted(damage.GENERATORS), default='v2',
                    help='v2: the December 2026 GPU run on v3 data flagged a cigarette on a real print (README.md)')
    ap.add_argument('--crop', type=int, default=256)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--workers', type=int, default=max(1, (os.cpu_count() or 2) - 2))
    ap.add_argument('--lr', type=float, default=2e-3, help='from scratch; a continued network gets half')
    ap.add_argument('--pos-weight', type=float, default=2.5)
    ap.add_argument('--seed', type=int, default=20261206)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    dev = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    os.makedirs(args.work, exist_ok=True)
    nets = []
    for spec in args.arch:
        name, _, init = spec.partition(':')
        model = DamageUNet(ARCHS[name]).to(dev)
        if init:
            model.load_state_dict(torch.load(init, map_location=dev))
        lr = args.lr / 2 if init else args.lr
        nets.append({'name': name, 'model': model, 'lr': lr, 'warmup': 50 if init else 300,
                     'opt': torch.optim.Adam(model.parameters(), lr=lr), 'hist': []})
        print(f'{name}: {sum(p.numel() for p in model.parameters())} params, init {init or "none"}, lr {lr}', flush=True)
    loader = torch.utils.data.DataLoader(Batches(args.pack, args.gen, args.crop, args.batch, args.seed),
                                         batch_size=None, num_workers=args.workers, pin_memory=True,
                                         prefetch_factor=4, persistent_workers=True)
    print(f'device {dev} ({torch.cuda.get_device_name() if dev.type == "cuda" else "cpu"}), '
          f'{args.workers} workers, batch {args.batch}x{args.crop}px, gen {args.gen}', flush=True)

    def save(tag=''):
        for n in nets:
            path = os.path.join(args.work, f'{n["name"]}{tag}.pt')
            torch.save(n['model'].state_dict(), path + '.tmp')
            os.replace(path + '.tmp', path)

    t0 = time.time()
    last_save = t0
    waited = 0.0
    step = 0
    budget = args.minutes * 60
    tw = time.time()
    for x, y, w in loader:
        waited += time.time() - tw
        frac = (time.time() - t0) / budget
        if frac >= 1:
            break
        x, y, w = (t.to(dev, non_blocking=True) for t in (x, y, w))
        for n in nets:  # the schedule follows wall time only (no step count: 10**9 is never reached)
            set_lr(n['opt'], step, 10 ** 9, n['lr'], t0, args.minutes, warmup=n['warmup'])
            n['hist'].append(optimise(n['model'], n['opt'], (x, y, w), args.pos_weight, bf16=dev.type == 'cuda'))
        step += 1
        if step % 100 == 0:
            el = time.time() - t0
            line = ' | '.join(f'{n["name"]} {np.mean([h[0] for h in n["hist"]]):.4f}' for n in nets)
            print(f'step {step} {el:.0f}s {step * args.batch / el:.0f} samples/s, data wait {100 * waited / el:.0f}% | '
                  f'{line} | lr x{lr_at(step, 10 ** 9, 1.0, time_frac=frac):.2f}', flush=True)
            for n in nets:
                n['hist'] = []
        if time.time() - last_save > 60:
            save()
            last_save = time.time()
        tw = time.time()
    save()
    with open(os.path.join(args.work, 'train_info.txt'), 'w') as f:
        f.write(f'steps={step}\nminutes={(time.time() - t0) / 60:.1f}\ncrop={args.crop}\nbatch={args.batch}\n'
                f'gen={args.gen}\npos_weight={args.pos_weight}\nseed={args.seed}\nworkers={args.workers}\n'
                f'arch={" ".join(args.arch)}\nlr={args.lr}\ndevice={torch.cuda.get_device_name() if dev.type == "cuda" else "cpu"}\n')
    print(f'done: {step} steps, {step * args.batch} samples in {(time.time() - t0) / 60:.1f} min', flush=True)


if __name__ == '__main__':
    main()
