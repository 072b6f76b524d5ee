#pragma once
// The word masks of one frame: one layer per word of the prompt, each a Grayscale8 image of the
// frame's size (0/255) with a display colour and a visibility switch. Edits go through the
// painter's undo stack (mask_commands.h), which calls set_mask.
#include <QColor>
#include <QImage>
#include <QMap>
#include <QObject>
#include <QSize>
#include <QStringList>

namespace storyscope::ui {

class MaskDocument : public QObject {
  Q_OBJECT
 public:
  explicit MaskDocument(QObject* parent = nullptr);

  // Starts over with blank layers for `words` (duplicates collapse to one layer per word).
  void reset(const QStringList& words, const QSize& size);
  const QStringList& words() const { return words_; }
  QSize size() const { return size_; }
  bool contains(const QString& word) const { return layers_.contains(word); }

  QImage mask(const QString& word) const { return layers_.value(word).mask; }
  // Replaces the word's mask (binarised, nearest-resized to size()); emits maskChanged.
  void set_mask(const QString& word, const QImage& mask);
  QColor color(const QString& word) const { return layers_.value(word).color; }
  void set_color(const QString& word, const QColor& color);
  bool visible(const QString& word) const { return layers_.value(word).visible; }
  void set_visible(const QString& word, bool visible);
  // Words whose mask has at least one pixel set, with their masks.
  QMap<QString, QImage> non_empty_masks() const;

 signals:
  void maskChanged(const QString& word);
  void appearanceChanged(const QString& word);  // colour or visibility
  void layersReset();

 private:
  struct Layer {
    QImage mask;
    QColor color;
    bool visible = true;
  };
  QStringList words_;
  QSize size_;
  QMap<QString, Layer> layers_;
};

}  // namespace storyscope::ui
