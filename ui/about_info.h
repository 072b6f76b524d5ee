#pragma once
// Versions shown in the About box and in bug reports.
#include <QString>

namespace storyscope::ui {
QString about_text();
}  // namespace storyscope::ui
