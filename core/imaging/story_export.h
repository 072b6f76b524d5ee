#pragma once
// What a story run leaves besides its frames: a horizontal strip, a labelled grid (the
// ablation view: one row per technique), an animated GIF (own encoder: OpenCV 4.6 writes no
// GIF) and an MP4 (OpenCV VideoWriter). Writes are atomic (temporary file + rename).
#include <string>
#include <vector>

#include "core/imaging/rgb_image.h"

namespace storyscope {

// Frames side by side with `gap` pixels of `background` gray between them. Frames of other
// sizes are resized to the first frame's height. Throws Error(BadInput) for no frames.
RgbImage story_strip(const std::vector<RgbImage>& frames, int gap = 4, int background = 255);

// rows[r] is a list of frames; row_labels[r] is drawn left of row r, column_labels above the
// columns (either list may be empty; a non-empty one needs one label per row / column). Every
// cell takes the first frame's size (others are resized); rows may be shorter (white cells).
// Readable labels: OpenCV Hershey font, black on white, shortened with "..." when too long.
RgbImage labelled_grid(const std::vector<std::vector<RgbImage>>& rows,
                       const std::vector<std::string>& row_labels,
                       const std::vector<std::string>& column_labels, int gap = 4);

// Animated GIF89a, looping forever, `delay_ms` per frame (rounded to 10 ms). Colours are
// quantised to one global 256-colour palette (median cut over all frames; exact when the frames
// hold <= 256 colours), no dithering; LZW as the spec. Frames of other sizes are resized to the
// first frame's size (also for MP4, which pads odd sizes to even ones).
void write_gif(const std::string& path, const std::vector<RgbImage>& frames, int delay_ms = 500);
// Encoded bytes, for tests and callers that write elsewhere.
std::string encode_gif(const std::vector<RgbImage>& frames, int delay_ms = 500);

// MP4 through OpenCV's VideoWriter ("mp4v"), `fps` frames per second, every frame held
// `repeat` times so short stories play at a watchable pace. Returns false (and writes nothing)
// when this OpenCV build has no MP4 encoder; throws Error for other failures.
bool write_mp4(const std::string& path, const std::vector<RgbImage>& frames, double fps = 2.0,
               int repeat = 1);

}  // namespace storyscope
