#!/usr/bin/env bash
# The README's "main job": installs what is needed, builds the CLI, and runs a consistent story on
# the shipped shapes-world demo model (resources/models/shapes-demo, the default model when no
# --model is given), offline: frames, per-word attention heatmaps for every frame, a strip and a
# GIF, then the checker's reading of each frame and the identity drift across the story.
# Usage: scripts/demo.sh [OUT_DIR] [STORY_FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
TARGET=storyscope-cli ./scripts/build.sh >/dev/null
export OMP_WAIT_POLICY=PASSIVE
CLI=build/app/storyscope-cli
OUT=${1:-out/demo}
STORY=${2:-examples/shapes/red-striped-star.story.json}
mkdir -p "$OUT"

echo "== the demo model"
$CLI inspect resources/models/shapes-demo --compact | head -c 400; echo " ..."
echo "== a consistent story with attention: $STORY"
$CLI story "$STORY" --attention --out "$OUT/story"
echo "== what the checker reads in each frame, and the identity drift across them"
$CLI shapes check --story-file "$STORY" "$OUT"/story/frame_*.png
echo "== outputs in $OUT/story: frame_NN.png, strip.png, story.gif, frame_NN/ (attention records, heatmaps.png)"
