#pragma once
// The StoryScope main window: menus and the dock layout of DESIGN section 6. The docks are
// filled in by their own widgets as they land; the window only arranges and remembers them.
#include <QMainWindow>
#include <QMap>

class QDockWidget;
class QPlainTextEdit;

namespace storyscope::ui {

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);

  // Appends a line to the Log dock (and keeps it for the session).
  void log(const QString& line);
  QDockWidget* dock(const QString& object_name) const { return docks_.value(object_name); }

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  QDockWidget* add_dock(const QString& object_name, const QString& title, Qt::DockWidgetArea area,
                        QWidget* content);
  void create_menus();
  void restore_layout();
  void show_about();

  QMap<QString, QDockWidget*> docks_;
  QPlainTextEdit* log_view_ = nullptr;
};

}  // namespace storyscope::ui
