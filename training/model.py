"""DamageUNet: a small 4-level U-Net (3 poolings) for per-pixel damage probability.

Plain ONNX-friendly ops only: Conv 3x3 + ReLU, MaxPool 2x2, nearest Resize x2, Concat,
Conv 1x1, Sigmoid. No normalisation layers. H and W must be multiples of 8.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

CH = (16, 32, 48, 64)
# Channel widths per level by name (train_gpu.py --arch; load_weights reads them back from the
# weights): 'small' is the shipped v1/v2 network; the wider ones were tried on a GPU.
ARCHS = {'small': CH, 'mid': (24, 48, 80, 112), 'wide': (32, 64, 128, 192)}
SIZE_MULTIPLE = 8


def conv(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True))


class DamageUNet(nn.Module):
    def __init__(self, ch=CH):
        super().__init__()
        c0, c1, c2, c3 = ch
        self.enc0 = nn.Sequential(conv(3, c0), conv(c0, c0))
        self.enc1 = nn.Sequential(conv(c0, c1), conv(c1, c1))
        self.enc2 = nn.Sequential(conv(c1, c2), conv(c2, c2))
        self.bott = nn.Sequential(conv(c2, c3), conv(c3, c3))
        self.dec2 = conv(c3 + c2, c2)
        self.dec1 = conv(c2 + c1, c1)
        self.dec0 = nn.Sequential(conv(c1 + c0, c0), conv(c0, c0))
        self.head = nn.Conv2d(c0, 1, 1)

    def logits(self, x):
        x = x - 0.5
        e0 = self.enc0(x)
        e1 = self.enc1(F.max_pool2d(e0, 2))
        e2 = self.enc2(F.max_pool2d(e1, 2))
        b = self.bott(F.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([F.interpolate(b, scale_factor=2.0, mode='nearest'), e2], 1))
        d1 = self.dec1(torch.cat([F.interpolate(d2, scale_factor=2.0, mode='nearest'), e1], 1))
        d0 = self.dec0(torch.cat([F.interpolate(d1, scale_factor=2.0, mode='nearest'), e0], 1))
        return self.head(d0)

    def forward(self, x):
        return torch.sigmoid(self.logits(x))


def load_weights(path):
    """A DamageUNet (eval mode, on the CPU) from a saved state dict, its widths read from the
    weights themselves, so every script loads 'small', 'mid' or 'wide' alike."""
    state = torch.load(path, map_location='cpu')
    ch = tuple(state[f'{block}.0.0.weight'].shape[0] for block in ('enc0', 'enc1', 'enc2', 'bott'))
    model = DamageUNet(ch)
    model.load_state_dict(state)
    return model.eval()


def macs_per_pixel(model):
    """Multiply-adds per input pixel, from the conv shapes and the level each runs at."""
    level = {'enc0': 1, 'dec0': 1, 'head': 1, 'enc1': 4, 'dec1': 4, 'enc2': 16, 'dec2': 16, 'bott': 64}
    total = 0.0
    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d):
            k = m.kernel_size[0] * m.kernel_size[1]
            total += m.in_channels * m.out_channels * k / level[name.split('.')[0]]
    return total


if __name__ == '__main__':
    m = DamageUNet()
    n = sum(p.numel() for p in m.parameters())
    print('params', n, 'MACs/px', macs_per_pixel(m), 'FLOPs/px', 2 * macs_per_pixel(m))
