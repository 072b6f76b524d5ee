#include "ui/plot_style.h"

#include <qcustomplot.h>

namespace storyscope::ui {

void colour_plot(QCustomPlot* plot, const QPalette& palette) {
  const QColor text = palette.color(QPalette::Text);
  // Grid and frame lines: the text colour faded, so they show on a light or a dark base alike.
  QColor grid = text, frame = text;
  grid.setAlphaF(0.25f);
  frame.setAlphaF(0.5f);
  plot->setBackground(palette.base());
  for (QCPAxis* axis : plot->axisRect()->axes()) {
    axis->setBasePen(QPen(text));
    axis->setTickPen(QPen(text));
    axis->setSubTickPen(QPen(text));
    axis->setLabelColor(text);
    axis->setTickLabelColor(text);
    axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
    axis->grid()->setSubGridPen(Qt::NoPen);
    axis->grid()->setZeroLinePen(QPen(grid, 1, Qt::SolidLine));
  }
  plot->legend->setBrush(palette.base());
  plot->legend->setBorderPen(QPen(frame));
  plot->legend->setTextColor(text);
}

}  // namespace storyscope::ui
