#pragma once
// Durations as the progress lines show them.
#include <QString>

namespace storyscope::ui {

// "m:ss" or "h:mm:ss"; "–" for a negative (unknown) time.
QString format_eta(double seconds);

}  // namespace storyscope::ui
