#!/usr/bin/env bash
# The README's "main job": installs what is needed, builds, and runs the engine on a model.
#
# Until the self-trained shapes-world model ships in resources/models/shapes-demo (the
# "shapes world" milestone), the demo runs on the tiny SD 1.5 pipeline of the reference
# fixtures (random weights: its images are noise, its numbers are real): it inspects the model,
# tokenizes a prompt, checks the UNet and the VAE decoder against what diffusers computed for
# the same weights and inputs, then renders a consistent story (SVR + IPCA) with per-frame
# attention records and heatmaps, a strip and a GIF.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
TARGET=storyscope-cli ./scripts/build.sh >/dev/null
export OMP_WAIT_POLICY=PASSIVE
CLI=build/app/storyscope-cli
FIX=${STORYSCOPE_FIXTURES:-../shared/fixtures}
OUT=${1:-out/demo}
mkdir -p "$OUT"

echo "== model folder"
$CLI inspect "$FIX/e2e/tiny_sd15_pipeline" --compact | head -c 400; echo " ..."
echo "== tokens of \"a red fox playing in the snow\" (real CLIP vocabulary)"
$CLI tokenize --tokenizer "$FIX/clip_tokenizer" -- "a red fox playing in the snow"
echo "== UNet noise prediction vs diffusers"
$CLI forward --component unet --model "$FIX/tiny_unet" --inputs "$FIX/tiny_unet.safetensors" --timestep 500 \
  --out "$OUT/noise_pred.safetensors"
$CLI compare "$OUT/noise_pred.safetensors" "$FIX/tiny_unet.safetensors" --pair noise_pred=noise_pred_t500 --tolerance 4.63e-5
echo "== VAE decode vs diffusers"
$CLI forward --component vae-decode --model "$FIX/tiny_vae" --inputs "$FIX/tiny_vae.safetensors" --out "$OUT/decoded.safetensors"
$CLI compare "$OUT/decoded.safetensors" "$FIX/tiny_vae.safetensors" --pair decoded_image=decoded_image --tolerance 5.26e-5
echo "== a 4-frame story with attention (examples/shapes/red-striped-star.story.json)"
$CLI story examples/shapes/red-striped-star.story.json --model "$FIX/e2e/tiny_sd15_pipeline" --steps 10 \
  --attention --out "$OUT/story"
echo "== outputs in $OUT"
