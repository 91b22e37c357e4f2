#!/bin/sh
# The GPU recipe (README.md, "GPU runs"): trains the 'wide' network on one CUDA GPU machine,
# then exports a candidate model here into $WORK/gpu-model (never over models/damage-unet:
# the December 2026 run was not shipped, see README.md). About 12 min of GPU time; the data is
# made on the GPU machine's CPU cores (that run: 14 workers on 16 cores, data-bound at ~290
# samples/s).
#   1. here: pack the training photos (photos.py needs the Debian packages, see README.md);
#   2. on the GPU machine (python3 with torch + CUDA, numpy, scipy, pillow), from the repo root:
#        python3 training/train_gpu.py --pack $PACK --work $RUN1 --minutes 8 --arch wide --gen v3 --seed 20261206
#        python3 training/train_gpu.py --pack $PACK --work $RUN2 --minutes 3.9 --arch wide:$RUN1/wide.pt --gen v3 --seed 20261207
#      This reproduces the recipe, not the bits: cuDNN's autotuned kernels are not deterministic,
#      and the December 2026 first run also trained 'small' (from the v2 weights) and 'mid' beside
#      'wide' on the same batches, to compare them, so its random init of 'wide' came after
#      theirs (add `--arch small:V2_WEIGHTS --arch mid` before `--arch wide` to match that);
#   3. here: export, calibrate, validate and write the candidate's manifest from RUN2/wide.pt.
# Runs are time-bounded (--minutes): on another GPU or CPU count the step count differs.
set -e
cd "$(dirname "$0")/.."
WORK=${WORK:-/tmp/heirloom-train}
PY=/usr/bin/python3
case "$1" in
  pack) $PY training/photos.py "$WORK/pack" ;;
  train)
    python3 training/train_gpu.py --pack "$WORK/pack" --work "$WORK/gpu1" --minutes 8 --arch wide --gen v3 --seed 20261206
    python3 training/train_gpu.py --pack "$WORK/pack" --work "$WORK/gpu2" --minutes 3.9 --arch "wide:$WORK/gpu1/wide.pt" --gen v3 --seed 20261207 ;;
  export)
    mkdir -p "$WORK/gpuship"
    cp "$WORK/gpu2/wide.pt" "$WORK/gpuship/weights.pt"
    { cat "$WORK/gpu2/train_info.txt"; sed -n 's/^\(minutes\|steps\|seed\)=/\11=/p' "$WORK/gpu1/train_info.txt"; echo photos=35; } > "$WORK/gpuship/train_info.txt"
    $PY training/train_damage.py --skip-train --work "$WORK/gpuship" --out "$WORK/gpu-model" \
        --validation-json "$WORK/gpuship/validation.json" ;;
  *) echo "usage: $0 pack | train | export   (pack and export here, train on the GPU machine)"; exit 2 ;;
esac
