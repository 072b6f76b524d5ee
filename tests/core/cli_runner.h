#pragma once
// Runs storyscope-cli as a user would (QProcess), for the CLI tests. Each run gets the given
// STORYSCOPE_CONFIG_HOME so no test touches the user's remembered settings.
#include <QProcess>
#include <QString>
#include <QStringList>

#ifndef STORYSCOPE_CLI
#error "tests using cli_runner.h need STORYSCOPE_CLI (the storyscope-cli path)"
#endif

namespace storyscope::testing {

struct CliResult {
  int code = -1;  // exit code; -1 timed out, -2 crashed
  QString out, err;
};

inline CliResult run_cli(const QStringList& args, const QString& config_home, int timeout_ms = 600000) {
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("STORYSCOPE_CONFIG_HOME", config_home);
  env.insert("OMP_NUM_THREADS", "2");
  p.setProcessEnvironment(env);
  p.start(QStringLiteral(STORYSCOPE_CLI), args);
  if (!p.waitForFinished(timeout_ms)) {
    p.kill();
    p.waitForFinished();
    return {-1, {}, QStringLiteral("timed out")};
  }
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2,
          QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace storyscope::testing
