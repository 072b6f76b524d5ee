#include "ui/project_session.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>

namespace storyscope::ui {
namespace {
constexpr int kMaxRecent = 8;
const char* kRecentKey = "projects/recent";
const char* kOriginFile = "origin.txt";  // which project the recovered work came from
}  // namespace

ProjectSession::ProjectSession(QObject* parent) : QObject(parent) {
  timer_ = new QTimer(this);
  timer_->setInterval(60 * 1000);
  connect(timer_, &QTimer::timeout, this, [this] { autosaveNow(); });
  timer_->start();
}

void ProjectSession::markDirty() {
  if (dirty_) return;
  dirty_ = true;
  emit dirtyChanged(true);
}

void ProjectSession::markClean(const QString& path) {
  path_ = path;
  if (!path.isEmpty()) addRecent(path);
  discardRecovery();
  if (dirty_) {
    dirty_ = false;
    emit dirtyChanged(false);
  }
}

QStringList ProjectSession::recentProjects() const {
  QStringList recent = QSettings().value(QString::fromLatin1(kRecentKey)).toStringList();
  recent.erase(
      std::remove_if(recent.begin(), recent.end(), [](const QString& p) { return !QFileInfo(p).isDir(); }),
      recent.end());
  return recent;
}

void ProjectSession::addRecent(const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  QStringList recent = QSettings().value(QString::fromLatin1(kRecentKey)).toStringList();
  recent.removeAll(absolute);
  recent.prepend(absolute);
  while (recent.size() > kMaxRecent) recent.removeLast();
  QSettings().setValue(QString::fromLatin1(kRecentKey), recent);
  emit recentChanged();
}

void ProjectSession::clearRecent() {
  QSettings().remove(QString::fromLatin1(kRecentKey));
  emit recentChanged();
}

void ProjectSession::setAutosaveInterval(int interval_ms) { timer_->setInterval(interval_ms); }

QString ProjectSession::recoveryDir() {
  return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
      .filePath(QStringLiteral("recovery"));
}

bool ProjectSession::autosaveNow() {
  if (!dirty_ || !snapshot_) return false;
  const QString dir = recoveryDir();
  try {
    ProjectSaveOptions options;
    options.records = false;  // can be hundreds of MB; the story and frames are what must survive
    save_project(dir, snapshot_(), options);
    QSaveFile origin(QDir(dir).filePath(QString::fromLatin1(kOriginFile)));
    if (origin.open(QIODevice::WriteOnly)) {
      origin.write(path_.toUtf8());
      origin.commit();
    }
  } catch (const ProjectError& e) {
    emit autosaveFailed(e.message());
    return false;
  }
  emit autosaved(dir);
  return true;
}

bool ProjectSession::hasRecovery() const {
  return QFileInfo::exists(QDir(recoveryDir()).filePath(QString::fromLatin1(kProjectFile)));
}

QDateTime ProjectSession::recoveryTime() const {
  return QFileInfo(QDir(recoveryDir()).filePath(QString::fromLatin1(kProjectFile))).lastModified();
}

QString ProjectSession::recoveryOrigin() const {
  QFile origin(QDir(recoveryDir()).filePath(QString::fromLatin1(kOriginFile)));
  return origin.open(QIODevice::ReadOnly) ? QString::fromUtf8(origin.readAll()) : QString();
}

void ProjectSession::discardRecovery() { QDir(recoveryDir()).removeRecursively(); }

}  // namespace storyscope::ui
