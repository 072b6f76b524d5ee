#include "ui/analysis_docks.h"

#include <QCoreApplication>
#include <QDir>
#include <QImage>
#include <QMap>
#include <QStandardPaths>

#include "ui/attention_inspector.h"
#include "ui/main_window.h"
#include "ui/mask_painter.h"
#include "ui/plots_panel.h"

namespace storyscope::ui {

AnalysisDocks install_analysis_docks(MainWindow* window) {
  AnalysisDocks d;
  d.inspector = new AttentionInspector;
  d.painter = new MaskPainter;
  d.plots = new PlotsPanel;
  window->setDockContent(QStringLiteral("attention"), d.inspector);
  window->setDockContent(QStringLiteral("masks"), d.painter);
  window->setDockContent(QStringLiteral("plots"), d.plots);

  QObject::connect(window, &MainWindow::frameSelected, d.inspector, &AttentionInspector::setFrame);
  QObject::connect(window, &MainWindow::frameSelected, d.painter, &MaskPainter::setFrame);
  QObject::connect(window, &MainWindow::frameSelected, d.plots, &PlotsPanel::setFrame);
  QObject::connect(d.inspector, &AttentionInspector::selectionChanged, d.painter, &MaskPainter::setSelection);
  QObject::connect(d.inspector, &AttentionInspector::selectionChanged, d.plots, &PlotsPanel::setSelection);
  MaskPainter* painter = d.painter;
  PlotsPanel* plots = d.plots;
  QObject::connect(painter, &MaskPainter::masksChanged, plots,
                   [painter, plots] { plots->setMasks(painter->masks()); });

  // Extract concepts: every painted layer, in the layer order, on the frame they were painted on.
  QObject::connect(painter, &MaskPainter::extractConceptsRequested, window, [window, painter] {
    const QMap<QString, QImage> painted = painter->masks();
    QStringList words;
    QList<QImage> masks;
    for (const QString& word : painter->words())
      if (painted.contains(word)) {
        words << word;
        masks << painted.value(word);
      }
    window->openConceptDialog(painter->frame(), words, masks);
  });

  // A project's masks arrive after its frames (the frame selection clears the painter first).
  QObject::connect(window, &MainWindow::projectMasksLoaded, painter,
                   [painter](const QMap<QString, QString>& files) {
                     QMap<QString, QImage> masks;
                     for (auto it = files.begin(); it != files.end(); ++it) {
                       QImage image(it.value());
                       if (!image.isNull()) masks.insert(it.key(), image);
                     }
                     painter->setMasks(masks);
                   });
  // Saving a project copies mask files: hand it the painted masks as PNGs in a scratch folder.
  window->setMaskProvider([painter] {
    QMap<QString, QString> files;
    const QString dir =
        QDir(QStandardPaths::writableLocation(QStandardPaths::TempLocation))
            .filePath(QStringLiteral("storyscope-masks-%1").arg(QCoreApplication::applicationPid()));
    QDir().mkpath(dir);
    const QMap<QString, QImage> masks = painter->masks();
    for (auto it = masks.begin(); it != masks.end(); ++it) {
      const QString path = QDir(dir).filePath(QString::number(files.size()) + QStringLiteral(".png"));
      if (it.value().save(path)) files.insert(it.key(), path);
    }
    return files;
  });
  return d;
}

}  // namespace storyscope::ui
