#pragma once
// The bookkeeping around the open project: where it lives, whether it has unsaved changes, the
// recent-projects list (QSettings) and autosave to a recovery folder under AppDataLocation, so
// work survives a crash and is offered back on the next start.
#include <QDateTime>
#include <QObject>
#include <QStringList>
#include <functional>

#include "ui/project.h"

class QTimer;

namespace storyscope::ui {

class ProjectSession : public QObject {
  Q_OBJECT
 public:
  explicit ProjectSession(QObject* parent = nullptr);

  QString path() const { return path_; }  // empty: never saved
  bool dirty() const { return dirty_; }
  void markDirty();
  // After a successful save or open of `path` (empty for a new project): clean, recent updated,
  // recovery files removed.
  void markClean(const QString& path);

  QStringList recentProjects() const;
  void addRecent(const QString& path);
  void clearRecent();

  // Autosave: every `interval_ms` while dirty, the snapshot is written to recoveryDir().
  void setSnapshot(std::function<Project()> snapshot) { snapshot_ = std::move(snapshot); }
  void setAutosaveInterval(int interval_ms);
  bool autosaveNow();  // false when nothing was written (clean, no snapshot, or an error)

  static QString recoveryDir();
  bool hasRecovery() const;
  QDateTime recoveryTime() const;
  QString recoveryOrigin() const;  // the project the recovered work belonged to (may be empty)
  void discardRecovery();

 signals:
  void dirtyChanged(bool dirty);
  void recentChanged();
  void autosaved(const QString& dir);
  void autosaveFailed(const QString& message);

 private:
  QString path_;
  bool dirty_ = false;
  QTimer* timer_ = nullptr;
  std::function<Project()> snapshot_;
};

}  // namespace storyscope::ui
