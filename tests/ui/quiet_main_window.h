#pragma once
// Main-window options for tests: no demo model, no recovery question, the default layout, so
// each test starts from the same window whatever earlier runs left behind.
#include "ui/main_window.h"

namespace storyscope::testing {

inline ui::MainWindowOptions quiet_main_window() {
  ui::MainWindowOptions o;
  o.load_demo = false;
  o.offer_recovery = false;
  o.restore_layout = false;
  return o;
}

}  // namespace storyscope::testing
