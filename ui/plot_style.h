#pragma once
// The look every QCustomPlot of the GUI shares (Plots dock, concept extraction losses).
#include <QPalette>

class QCustomPlot;

namespace storyscope::ui {

// QCustomPlot draws black on white whatever the theme: take the colours from the palette instead.
void colour_plot(QCustomPlot* plot, const QPalette& palette);

}  // namespace storyscope::ui
