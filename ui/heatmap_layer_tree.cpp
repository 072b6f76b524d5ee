#include "ui/heatmap_layer_tree.h"

#include <QHeaderView>
#include <QSignalBlocker>
#include <map>
#include <set>

namespace storyscope::ui {

namespace {

QString grid_text(std::int64_t h, std::int64_t w) {
  return h == w ? QString::number(h) + QStringLiteral("²") : QStringLiteral("%1×%2").arg(h).arg(w);
}

}  // namespace

HeatmapLayerTree::HeatmapLayerTree(QWidget* parent) : QTreeWidget(parent) {
  setColumnCount(2);
  setHeaderLabels({tr("Layer"), tr("Resolution")});
  header()->setSectionResizeMode(0, QHeaderView::Stretch);
  header()->setStretchLastSection(false);
  setSelectionMode(QAbstractItemView::SingleSelection);
  connect(this, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
    if (item && item->parent()) emit layerChosen(item->data(0, Qt::UserRole).toString());
  });
}

void HeatmapLayerTree::set_layers(const std::vector<CrossLayerInfo>& layers) {
  const QSignalBlocker block(this);
  clear();
  layer_count_ = static_cast<int>(layers.size());
  const std::vector<std::pair<Place, QString>> groups = {
      {Place::Down, tr("down")}, {Place::Mid, tr("mid")}, {Place::Up, tr("up")}, {Place::Other, tr("other")}};
  for (const auto& [place, title] : groups) {
    std::vector<const CrossLayerInfo*> members;
    std::set<std::int64_t> grids;
    for (const CrossLayerInfo& l : layers)
      if (l.place == place) {
        members.push_back(&l);
        grids.insert(l.height);
      }
    if (members.empty()) continue;
    QStringList grid_names;
    for (auto it = grids.rbegin(); it != grids.rend(); ++it) grid_names << grid_text(*it, *it);
    auto* group = new QTreeWidgetItem(this, {title, grid_names.join(QStringLiteral(", "))});
    group->setFlags(Qt::ItemIsEnabled);
    for (const CrossLayerInfo* l : members) {
      auto* item = new QTreeWidgetItem(group, {l->name, grid_text(l->height, l->width)});
      item->setData(0, Qt::UserRole, l->name);
      item->setToolTip(0, l->name);
    }
    group->setExpanded(true);
  }
}

QString HeatmapLayerTree::current_layer() const {
  const QTreeWidgetItem* item = currentItem();
  return item && item->parent() ? item->data(0, Qt::UserRole).toString() : QString();
}

bool HeatmapLayerTree::select_layer(const QString& name) {
  for (int g = 0; g < topLevelItemCount(); ++g) {
    QTreeWidgetItem* group = topLevelItem(g);
    for (int i = 0; i < group->childCount(); ++i)
      if (group->child(i)->data(0, Qt::UserRole).toString() == name) {
        const QSignalBlocker block(this);
        setCurrentItem(group->child(i));
        return true;
      }
  }
  return false;
}

}  // namespace storyscope::ui
