#pragma once
// Puts the analysis widgets (Attention inspector, Mask painter, Plots) into the main window's
// docks and wires them together: the selected frame goes to all three, the inspector's
// view/layer/step selection drives the mask alignment table and the plots, painted masks feed
// the alignment plot and are saved with the project, and the painter's "Extract concepts…"
// opens the main window's concept dialog with the painted layers.
namespace storyscope::ui {

class MainWindow;
class AttentionInspector;
class MaskPainter;
class PlotsPanel;

struct AnalysisDocks {
  AttentionInspector* inspector = nullptr;
  MaskPainter* painter = nullptr;
  PlotsPanel* plots = nullptr;
};

AnalysisDocks install_analysis_docks(MainWindow* window);

}  // namespace storyscope::ui
