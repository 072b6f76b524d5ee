<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_TW">
<context>
    <name>About</name>
    <message>
        <location filename="../ui/about_info.cpp" line="13"/>
        <source>CUDA available</source>
        <translation>CUDA 可用</translation>
    </message>
    <message>
        <location filename="../ui/about_info.cpp" line="14"/>
        <source>CPU only</source>
        <translation>僅 CPU</translation>
    </message>
    <message>
        <location filename="../ui/about_info.cpp" line="15"/>
        <source>&lt;h3&gt;StoryScope %1&lt;/h3&gt;&lt;p&gt;Look inside Stable Diffusion: per-token attention at every step and layer, and consistent multi-frame stories.&lt;/p&gt;&lt;p&gt;Qt %2&lt;br&gt;LibTorch %3&lt;br&gt;Device: %4, %5 threads&lt;/p&gt;</source>
        <translation>&lt;h3&gt;StoryScope %1&lt;/h3&gt;&lt;p&gt;深入 Stable Diffusion 內部：檢視每個步驟、每一層的逐詞元注意力，並生成一致的多影格故事。&lt;/p&gt;&lt;p&gt;Qt %2&lt;br&gt;LibTorch %3&lt;br&gt;裝置：%4，%5 個執行緒&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>AlignmentTable</name>
    <message>
        <location filename="../ui/alignment_scores.cpp" line="26"/>
        <source>not defined for self-attention PCA</source>
        <translation>未針對自注意力 PCA 定義</translation>
    </message>
    <message>
        <location filename="../ui/alignment_table.cpp" line="10"/>
        <source>Word</source>
        <translation>詞</translation>
    </message>
    <message>
        <location filename="../ui/alignment_table.cpp" line="10"/>
        <source>MSE</source>
        <translation>MSE</translation>
    </message>
    <message>
        <location filename="../ui/alignment_table.cpp" line="10"/>
        <source>IoU</source>
        <translation>IoU</translation>
    </message>
    <message>
        <location filename="../ui/alignment_table.cpp" line="10"/>
        <source>Mass inside</source>
        <translation>遮罩內質量</translation>
    </message>
    <message>
        <location filename="../ui/alignment_table.cpp" line="12"/>
        <source>Mean squared error between the mask and the map divided by its max (lower is better)</source>
        <translation>遮罩與按最大值正規化後的注意力圖之間的均方誤差（越低越好）</translation>
    </message>
    <message>
        <location filename="../ui/alignment_table.cpp" line="14"/>
        <source>Intersection over union of the map thresholded at 0.4 of its max with the mask</source>
        <translation>注意力圖以其最大值的 0.4 為閾值二值化後，與遮罩的交集聯集比（IoU）</translation>
    </message>
    <message>
        <location filename="../ui/alignment_table.cpp" line="16"/>
        <source>Share of the word&apos;s attention that falls inside the mask</source>
        <translation>該詞的注意力落在遮罩內的比例</translation>
    </message>
</context>
<context>
    <name>AttentionInspector</name>
    <message>
        <location filename="../ui/attention_inspector.cpp" line="81"/>
        <location filename="../ui/attention_inspector.cpp" line="195"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../ui/attention_inspector.cpp" line="83"/>
        <location filename="../ui/attention_inspector.cpp" line="149"/>
        <source>No frame selected</source>
        <translation>未選取影格</translation>
    </message>
    <message>
        <location filename="../ui/attention_inspector.cpp" line="149"/>
        <source>This frame has no attention records</source>
        <translation>此影格沒有注意力記錄</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/attention_inspector.cpp" line="154"/>
        <source>%n map(s)</source>
        <translation>
            <numerusform>%n 張圖</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/attention_inspector.cpp" line="156"/>
        <source>Cannot show this view: %1</source>
        <translation>無法顯示此檢視：%1</translation>
    </message>
</context>
<context>
    <name>ConceptDialog</name>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="41"/>
        <source>Extract concepts</source>
        <translation>擷取概念</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="42"/>
        <source>Extract</source>
        <translation>擷取</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="45"/>
        <source>Learn one new token per ticked mask layer from this frame</source>
        <translation>從這個影格為每個勾選的遮罩圖層學習一個新詞元</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="46"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="48"/>
        <source>Stop after the current step; the checkpoint is kept and no pack is written</source>
        <translation>在目前步驟後停止；保留檢查點，不寫入概念包</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="49"/>
        <source>Close</source>
        <translation>關閉</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="64"/>
        <source>Tick the layers to learn and press Extract.</source>
        <translation>勾選要學習的圖層，然後按「擷取」。</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="74"/>
        <source>Concepts</source>
        <translation>概念</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="78"/>
        <source>Mask layer</source>
        <translation>遮罩圖層</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="78"/>
        <source>Initializer word</source>
        <translation>初始詞</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="82"/>
        <source>Each ticked layer becomes one new token (&lt;asset0&gt;, &lt;asset1&gt;, … in this order). Its embedding starts from the initializer word; leave it empty to start from the mean.</source>
        <translation>每個勾選的圖層成為一個新詞元（依此順序為 &lt;asset0&gt;、&lt;asset1&gt;、…）。其嵌入從初始詞開始；留空則從平均嵌入開始。</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="96"/>
        <source>Training</source>
        <translation>訓練</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="98"/>
        <source>Phase 1: only the new token embeddings learn</source>
        <translation>階段 1：只訓練新詞元的嵌入</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="100"/>
        <source>Phase 2: the UNet and the text encoder learn too, at a much lower rate</source>
        <translation>階段 2：UNet 與文字編碼器也參與訓練，學習率低得多</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="107"/>
        <source>Weight of the attention loss, which pulls each token&apos;s cross-attention map onto its mask (0: the masked diffusion loss alone)</source>
        <translation>注意力損失的權重，它把每個詞元的交叉注意力圖拉向其遮罩（0：只用遮罩擴散損失）</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="112"/>
        <source>Seeds the timesteps, noise, flips and token subsets of every step</source>
        <translation>決定每一步的時間步、雜訊、翻轉與詞元子集的隨機種子</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="115"/>
        <source>The tokens are &lt;prefix0&gt;, &lt;prefix1&gt;, …: choose one not in use</source>
        <translation>詞元為 &lt;前綴0&gt;、&lt;前綴1&gt;、…：請選擇尚未使用的前綴</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="116"/>
        <source>Phase 1 steps:</source>
        <translation>階段 1 步數：</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="117"/>
        <source>Phase 2 steps:</source>
        <translation>階段 2 步數：</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="118"/>
        <source>Attention loss λ:</source>
        <translation>注意力損失 λ：</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="119"/>
        <source>Seed:</source>
        <translation>種子：</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="120"/>
        <source>Token prefix:</source>
        <translation>詞元前綴：</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="123"/>
        <source>Concept pack folder</source>
        <translation>概念包資料夾</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="128"/>
        <source>concepts.safetensors and concepts.json go here, with a checkpoint while it runs (a cancelled run resumes from it when started again with the same settings)</source>
        <translation>concepts.safetensors 與 concepts.json 寫入此處，執行期間還有一個檢查點（已取消的執行以相同設定再次開始時會從它繼續）</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="131"/>
        <source>Browse…</source>
        <translation>瀏覽…</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="180"/>
        <source>Folder for the concept pack</source>
        <translation>概念包的資料夾</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="193"/>
        <source>Cancelled: no pack was written. Press Extract to resume from the checkpoint.</source>
        <translation>已取消：未寫入概念包。按「擷取」可從檢查點繼續。</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="196"/>
        <source>Done: the pack is in %1. The new tokens are listed in the Story panel.</source>
        <translation>完成：概念包位於 %1。新詞元已列在「故事」面板中。</translation>
    </message>
</context>
<context>
    <name>ConceptRunView</name>
    <message>
        <location filename="../ui/concept_run_view.cpp" line="25"/>
        <source>Step</source>
        <translation>步驟</translation>
    </message>
    <message>
        <location filename="../ui/concept_run_view.cpp" line="26"/>
        <source>Loss</source>
        <translation>損失</translation>
    </message>
    <message>
        <location filename="../ui/concept_run_view.cpp" line="36"/>
        <source>Diffusion (masked)</source>
        <translation>擴散（遮罩內）</translation>
    </message>
    <message>
        <location filename="../ui/concept_run_view.cpp" line="38"/>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <location filename="../ui/concept_run_view.cpp" line="42"/>
        <source>Attention of the tokens trained in the last step:</source>
        <translation>上一步所訓練詞元的注意力：</translation>
    </message>
    <message>
        <location filename="../ui/concept_run_view.cpp" line="63"/>
        <source>Starting…</source>
        <translation>正在啟動…</translation>
    </message>
    <message>
        <location filename="../ui/concept_run_view.cpp" line="80"/>
        <source>step %1/%2 · phase %3 · %4 steps/s · ETA %5</source>
        <translation>步驟 %1/%2 · 階段 %3 · %4 步/秒 · 剩餘 %5</translation>
    </message>
    <message>
        <location filename="../ui/concept_run_view.cpp" line="107"/>
        <source>Where %1 attends (attention divided by its maximum)</source>
        <translation>%1 關注的位置（注意力除以其最大值）</translation>
    </message>
</context>
<context>
    <name>EngineWorker</name>
    <message>
        <location filename="../ui/engine_worker.cpp" line="30"/>
        <source>out of memory (try a smaller size, fewer frames per batch or a lower precision)</source>
        <translation>記憶體不足（請嘗試較小的尺寸、較少的每批影格數或較低的精度）</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="53"/>
        <source>CUDA is not available on this machine</source>
        <translation>此電腦上沒有可用的 CUDA</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="56"/>
        <source>Loading model %1</source>
        <translation>正在載入模型 %1</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="83"/>
        <source>Model loaded: %1 (%2, %3)</source>
        <translation>模型已載入：%1（%2，%3）</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="87"/>
        <source>Concepts available: %1</source>
        <translation>可用概念：%1</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="96"/>
        <source>Could not load the model %1: %2</source>
        <translation>無法載入模型 %1：%2</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="105"/>
        <location filename="../ui/engine_worker_concepts.cpp" line="76"/>
        <source>no model is loaded</source>
        <translation>未載入模型</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="114"/>
        <source>Generating %1 frames, %2 steps each</source>
        <translation>正在生成 %1 個影格，每個影格 %2 步</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="117"/>
        <source>Cancelled: %1 finished frames kept</source>
        <translation>已取消：保留了 %1 個已完成的影格</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="118"/>
        <source>Finished: %1 frames (window %2, batch %3)</source>
        <translation>已完成：%1 個影格（視窗 %2，批次 %3）</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="123"/>
        <source>The story could not be generated: %1</source>
        <translation>無法生成故事：%1</translation>
    </message>
    <message>
        <location filename="../ui/concept_pack_loading.cpp" line="22"/>
        <source>The concept pack %1 was not loaded: %2</source>
        <translation>未載入概念包 %1：%2</translation>
    </message>
    <message>
        <location filename="../ui/concept_pack_loading.cpp" line="30"/>
        <source>The concept packs %1 were not applied to this model: %2</source>
        <translation>概念包 %1 未套用到此模型：%2</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker_concepts.cpp" line="78"/>
        <source>the folder %1 cannot be created</source>
        <translation>無法建立資料夾 %1</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker_concepts.cpp" line="86"/>
        <source>Loading a float32 copy of %1 to train on</source>
        <translation>正在載入 %1 的 float32 副本以供訓練</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker_concepts.cpp" line="91"/>
        <source>Resuming from the checkpoint in %1 at step %2</source>
        <translation>從 %1 中的檢查點（第 %2 步）繼續</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker_concepts.cpp" line="92"/>
        <source>Extracting %1 concepts (%2): %3 + %4 steps</source>
        <translation>正在擷取 %1 個概念（%2）：%3 + %4 步</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker_concepts.cpp" line="104"/>
        <source>Concept extraction cancelled after step %1; the checkpoint in %2 resumes it</source>
        <translation>概念擷取在第 %1 步後取消；可從 %2 中的檢查點繼續</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker_concepts.cpp" line="113"/>
        <source>Concept pack written to %1</source>
        <translation>概念包已寫入 %1</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker_concepts.cpp" line="116"/>
        <source>The concepts could not be extracted: %1</source>
        <translation>無法擷取概念：%1</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker_concepts.cpp" line="127"/>
        <source>Could not reload the model with the concepts: %1</source>
        <translation>無法帶著這些概念重新載入模型：%1</translation>
    </message>
</context>
<context>
    <name>FramesView</name>
    <message>
        <location filename="../ui/frames_view.cpp" line="22"/>
        <source>No frames yet: write a story and press Generate (Ctrl+Return).</source>
        <translation>尚無影格：請撰寫故事並按下「生成」（Ctrl+Return）。</translation>
    </message>
    <message>
        <location filename="../ui/frames_view.cpp" line="40"/>
        <source>Strip</source>
        <translation>並排</translation>
    </message>
    <message>
        <location filename="../ui/frames_view.cpp" line="42"/>
        <source>Show every frame side by side</source>
        <translation>並排顯示所有影格</translation>
    </message>
    <message>
        <location filename="../ui/frames_view.cpp" line="45"/>
        <source>Export…</source>
        <translation>匯出…</translation>
    </message>
    <message>
        <location filename="../ui/frames_view.cpp" line="46"/>
        <source>Write frames, strip, GIF/MP4, story.json and attention records to a folder</source>
        <translation>將各影格、並排圖、GIF/MP4、story.json 與注意力記錄寫入資料夾</translation>
    </message>
    <message>
        <location filename="../ui/frames_view.cpp" line="75"/>
        <source>Frame %1</source>
        <translation>第 %1 個影格</translation>
    </message>
</context>
<context>
    <name>HeatmapControls</name>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="26"/>
        <source>Words</source>
        <translation>詞語</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="31"/>
        <source>Layer</source>
        <translation>層</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="32"/>
        <source>Prompt-to-Prompt</source>
        <translation>Prompt-to-Prompt</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="33"/>
        <source>DAAM</source>
        <translation>DAAM</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="34"/>
        <source>Self-attention PCA</source>
        <translation>自注意力 PCA</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="36"/>
        <source>Layer: one cross-attention layer. Prompt-to-Prompt: mean of the down/up layers at 16x16. DAAM: every layer but the coarsest, upsampled and averaged. Self-attention PCA: principal components of the self-attention matrix.</source>
        <translation>層：單一交叉注意力層。Prompt-to-Prompt：16x16 解析度下 down/up 各層的平均。DAAM：除最粗糙層外的所有層，升取樣後取平均。自注意力 PCA：自注意力矩陣的主成分。</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="39"/>
        <source>None</source>
        <translation>無</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="40"/>
        <source>Divide by max</source>
        <translation>除以最大值</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="41"/>
        <source>Min-max</source>
        <translation>最小-最大</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="42"/>
        <source>How each map is scaled before colouring</source>
        <translation>著色前如何縮放每張圖</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="45"/>
        <source>Final image</source>
        <translation>最終影像</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="46"/>
        <source>Predicted x0 of the step</source>
        <translation>該步驟預測的 x0</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="47"/>
        <source>Map only</source>
        <translation>僅注意力圖</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="48"/>
        <source>One map per word (mean of its tokens) instead of one per token</source>
        <translation>每個詞一張圖（其詞元的平均），而非每個詞元一張圖</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="52"/>
        <source>Opacity of the heatmap over the picture</source>
        <translation>熱力圖疊加在影像上的不透明度</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="59"/>
        <source>View</source>
        <translation>檢視</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="61"/>
        <source>Heads</source>
        <translation>注意力頭</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="64"/>
        <source>Normalise</source>
        <translation>正規化</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="66"/>
        <source>Colormap</source>
        <translation>色彩映射</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="68"/>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="70"/>
        <source>Over</source>
        <translation>疊加於</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="93"/>
        <source>Mean</source>
        <translation>平均</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="94"/>
        <source>Head %1</source>
        <translation>頭 %1</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="97"/>
        <source>Mean over heads or one head (Layer view)</source>
        <translation>所有注意力頭的平均或單一頭（層檢視）</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="98"/>
        <source>These records were averaged over heads when recorded</source>
        <translation>這些記錄在錄製時已對注意力頭取平均</translation>
    </message>
</context>
<context>
    <name>HeatmapLayerTree</name>
    <message>
        <location filename="../ui/heatmap_layer_tree.cpp" line="20"/>
        <source>Layer</source>
        <translation>層</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_layer_tree.cpp" line="20"/>
        <source>Resolution</source>
        <translation>解析度</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_layer_tree.cpp" line="34"/>
        <source>down</source>
        <translation>降取樣區塊</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_layer_tree.cpp" line="34"/>
        <source>mid</source>
        <translation>中間區塊</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_layer_tree.cpp" line="34"/>
        <source>up</source>
        <translation>升取樣區塊</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_layer_tree.cpp" line="34"/>
        <source>other</source>
        <translation>其他</translation>
    </message>
</context>
<context>
    <name>HeatmapStepBar</name>
    <message>
        <location filename="../ui/heatmap_step_bar.cpp" line="20"/>
        <source>All steps</source>
        <translation>所有步驟</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_step_bar.cpp" line="24"/>
        <source>Step</source>
        <translation>步驟</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_step_bar.cpp" line="30"/>
        <location filename="../ui/heatmap_step_bar.cpp" line="84"/>
        <source>Play through the steps</source>
        <translation>逐步播放</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_step_bar.cpp" line="31"/>
        <source>Denoising step whose attention is shown</source>
        <translation>顯示其注意力的去噪步驟</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_step_bar.cpp" line="32"/>
        <source>Show the mean over every recorded step</source>
        <translation>顯示所有已記錄步驟的平均</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_step_bar.cpp" line="78"/>
        <source>Pause</source>
        <translation>暫停</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_step_bar.cpp" line="94"/>
        <source>no steps</source>
        <translation>無步驟</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/heatmap_step_bar.cpp" line="96"/>
        <source>all %n step(s)</source>
        <translation>
            <numerusform>全部 %n 步</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/heatmap_step_bar.cpp" line="98"/>
        <source>%1/%2</source>
        <translation>%1/%2</translation>
    </message>
</context>
<context>
    <name>HeatmapTile</name>
    <message>
        <location filename="../ui/heatmap_tile.cpp" line="70"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../ui/main_window.cpp" line="57"/>
        <source>Story</source>
        <translation>故事</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="58"/>
        <location filename="../ui/main_window.cpp" line="316"/>
        <source>Run</source>
        <translation>執行</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="59"/>
        <source>Attention inspector</source>
        <translation>注意力檢查器</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="60"/>
        <source>Per-token heatmaps for any step and layer.</source>
        <translation>任意步驟與層的逐詞元熱力圖。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="61"/>
        <source>Masks</source>
        <translation>遮罩</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="62"/>
        <source>Paint masks per token and score attention alignment.</source>
        <translation>為每個詞元繪製遮罩並評估注意力對齊程度。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="63"/>
        <source>Plots</source>
        <translation>圖表</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="64"/>
        <source>Attention mass per token over steps, per-layer bars, alignment vs step.</source>
        <translation>各詞元注意力質量隨步驟變化、逐層柱狀圖、對齊度隨步驟變化。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="65"/>
        <source>Log</source>
        <translation>日誌</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="80"/>
        <source>Autosave failed: %1</source>
        <translation>自動儲存失敗：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="86"/>
        <source>Unsaved changes</source>
        <translation>未儲存的變更</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="95"/>
        <source>Ready</source>
        <translation>就緒</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="96"/>
        <source>StoryScope started</source>
        <translation>StoryScope 已啟動</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="103"/>
        <source>Opened the built-in example story</source>
        <translation>已開啟內建範例故事</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="104"/>
        <source>Opened the example story %1</source>
        <translation>已開啟範例故事 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="109"/>
        <source>No model loaded: the demo model (resources/models/shapes-demo) is not installed. Choose a diffusers folder or a checkpoint and press Load.</source>
        <translation>未載入模型：未安裝示範模型（resources/models/shapes-demo）。請選擇 diffusers 資料夾或檢查點，然後按下「載入」。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="181"/>
        <source>Attention recording is off for this model size; switch it on in the Run panel</source>
        <translation>此模型規模下注意力記錄已關閉；可在「執行」面板中開啟</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="184"/>
        <source>Model loaded: %1</source>
        <translation>模型已載入：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="191"/>
        <source>Frame %1 ready</source>
        <translation>第 %1 個影格已就緒</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="194"/>
        <source>Frame %1 failed: %2</source>
        <translation>第 %1 個影格失敗：%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="200"/>
        <source>Cancelled: finished frames are kept</source>
        <translation>已取消：已完成的影格已保留</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="200"/>
        <source>Finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="217"/>
        <source>No model loaded: %1</source>
        <translation>未載入模型：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="235"/>
        <source>Extracting concepts (progress in the Extract concepts window)</source>
        <translation>正在擷取概念（進度見「擷取概念」視窗）</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="260"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="260"/>
        <source>No model is loaded: choose one in the Run panel and press Load model.</source>
        <translation>未載入模型：請在「執行」面板中選擇模型，然後按下「載入模型」。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="269"/>
        <source>The story cannot run: %1</source>
        <translation>無法執行此故事：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="279"/>
        <source>Generating %1 frames…</source>
        <translation>正在生成 %1 個影格…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="286"/>
        <source>Cancelling after the current step…</source>
        <translation>將在目前步驟完成後取消…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="287"/>
        <source>Cancel requested</source>
        <translation>已要求取消</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="291"/>
        <source>&amp;File</source>
        <translation>檔案(&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="292"/>
        <source>&amp;New project</source>
        <translation>新增專案(&amp;N)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="293"/>
        <source>&amp;Open project…</source>
        <translation>開啟專案(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="294"/>
        <source>Open &amp;recent</source>
        <translation>最近開啟(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="296"/>
        <source>&amp;Save project</source>
        <translation>儲存專案(&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="297"/>
        <source>Save project &amp;as…</source>
        <translation>專案另存新檔(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="299"/>
        <source>&amp;Import story.json…</source>
        <translation>匯入 story.json(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="299"/>
        <source>Ctrl+I</source>
        <translation>Ctrl+I</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="301"/>
        <source>&amp;Export frames…</source>
        <translation>匯出影格(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="301"/>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="303"/>
        <source>&amp;Quit</source>
        <translation>結束(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="305"/>
        <source>&amp;Run</source>
        <translation>執行(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="306"/>
        <source>&amp;Load model</source>
        <translation>載入模型(&amp;L)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="306"/>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="309"/>
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="312"/>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="314"/>
        <source>Load concept &amp;pack…</source>
        <translation>載入概念包(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="321"/>
        <source>&amp;View</source>
        <translation>檢視(&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="324"/>
        <source>&amp;Strip</source>
        <translation>並排顯示(&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="324"/>
        <source>Ctrl+T</source>
        <translation>Ctrl+T</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="326"/>
        <source>&amp;Reset layout</source>
        <translation>重設版面(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="329"/>
        <source>Layout reset</source>
        <translation>版面已重設</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="335"/>
        <source>&amp;Help</source>
        <translation>說明(&amp;H)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="336"/>
        <source>&amp;About StoryScope</source>
        <translation>關於 StoryScope(&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="374"/>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="375"/>
        <source>%1%2 — StoryScope</source>
        <translation>%1%2 — StoryScope</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="378"/>
        <source>About StoryScope</source>
        <translation>關於 StoryScope</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="49"/>
        <source>The project has unsaved changes. Save them first?</source>
        <translation>專案有未儲存的變更。是否先儲存？</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="68"/>
        <source>New project</source>
        <translation>新增專案</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="76"/>
        <source>Open project</source>
        <translation>開啟專案</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="76"/>
        <source>The project could not be opened: %1</source>
        <translation>無法開啟專案：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="82"/>
        <source>Opened project %1 (%2 frames)</source>
        <translation>已開啟專案 %1（%2 個影格）</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="83"/>
        <source>Opened %1</source>
        <translation>已開啟 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="96"/>
        <source>Save project</source>
        <translation>儲存專案</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="96"/>
        <source>The project could not be saved: %1</source>
        <translation>無法儲存專案：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="101"/>
        <source>Saved project %1</source>
        <translation>已儲存專案 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="102"/>
        <source>Saved %1</source>
        <translation>已儲存 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="110"/>
        <source>Save the project into a folder</source>
        <translation>將專案儲存到資料夾</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="116"/>
        <source>Open a project folder</source>
        <translation>開啟專案資料夾</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="128"/>
        <source>(none)</source>
        <translation>（無）</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="130"/>
        <source>Clear list</source>
        <translation>清除清單</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="135"/>
        <source>StoryScope did not close normally. Restore the work autosaved at %1%2?</source>
        <translation>StoryScope 上次未正常關閉。是否復原於 %1%2 自動儲存的工作？</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="137"/>
        <source> (project %1)</source>
        <translation>（專案 %1）</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="138"/>
        <location filename="../ui/main_window_project.cpp" line="147"/>
        <source>Recover unsaved work</source>
        <translation>復原未儲存的工作</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="147"/>
        <source>The autosaved work could not be read: %1</source>
        <translation>無法讀取自動儲存的工作：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="153"/>
        <source>Recovered autosaved work</source>
        <translation>已復原自動儲存的工作</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="158"/>
        <location filename="../ui/main_window_project.cpp" line="167"/>
        <source>Export</source>
        <translation>匯出</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="158"/>
        <source>There are no frames to export yet.</source>
        <translation>尚無可匯出的影格。</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="163"/>
        <source>Exported %1 files to %2</source>
        <translation>已將 %1 個檔案匯出到 %2</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="164"/>
        <source>Exported to %1</source>
        <translation>已匯出到 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="167"/>
        <source>The export failed: %1</source>
        <translation>匯出失敗：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="173"/>
        <source>Export frames into a folder</source>
        <translation>將影格匯出到資料夾</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="178"/>
        <source>Import a story</source>
        <translation>匯入故事</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="179"/>
        <source>Stories (*.story.json *.json)</source>
        <translation>故事 (*.story.json *.json)</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="186"/>
        <source>Imported story %1</source>
        <translation>已匯入故事 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="188"/>
        <source>Import story</source>
        <translation>匯入故事</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="188"/>
        <source>The story could not be read: %1</source>
        <translation>無法讀取故事：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="15"/>
        <source>&amp;Theme</source>
        <translation>佈景主題(&amp;T)</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="23"/>
        <source>&amp;System</source>
        <translation>跟隨系統(&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="24"/>
        <source>&amp;Light</source>
        <translation>淺色(&amp;L)</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="25"/>
        <source>&amp;Dark</source>
        <translation>深色(&amp;D)</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="35"/>
        <source>Theme: %1</source>
        <translation>佈景主題：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="41"/>
        <source>&amp;Language</source>
        <translation>語言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="51"/>
        <source>&amp;System language</source>
        <translation>系統語言(&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="64"/>
        <source>Language: %1 (from the next start)</source>
        <translation>語言：%1（下次啟動時生效）</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="66"/>
        <source>Language</source>
        <translation>語言</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="67"/>
        <source>The new language is used the next time StoryScope starts.</source>
        <translation>新的語言將在下次啟動 StoryScope 時生效。</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="25"/>
        <source>Concept extraction cancelled; no pack was written</source>
        <translation>概念擷取已取消；未寫入概念包</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="27"/>
        <source>Concepts learned: loading them into the model…</source>
        <translation>概念已學會：正在把它們載入模型…</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="83"/>
        <source>Extract concepts</source>
        <translation>擷取概念</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="85"/>
        <source>No model is loaded: load the model the frame was made with first.</source>
        <translation>未載入模型：請先載入產生這個影格所用的模型。</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="89"/>
        <source>Generate or select a frame first, then paint a mask over each object to learn.</source>
        <translation>請先產生或選擇一個影格，然後在每個要學習的物體上繪製遮罩。</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="93"/>
        <source>Paint a mask over each object to learn (one mask layer per object) first.</source>
        <translation>請先在每個要學習的物體上繪製遮罩（每個物體一個遮罩圖層）。</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="112"/>
        <source>The engine is busy: wait for the current task to finish.</source>
        <translation>引擎忙碌中：請等待目前的工作完成。</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="120"/>
        <source>Extracting concepts into %1</source>
        <translation>正在將概念擷取到 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="133"/>
        <source>Open a concept pack folder</source>
        <translation>開啟概念包資料夾</translation>
    </message>
</context>
<context>
    <name>MaskCanvas</name>
    <message>
        <location filename="../ui/mask_canvas.cpp" line="106"/>
        <source>Erase %1</source>
        <translation>擦除 %1</translation>
    </message>
    <message>
        <location filename="../ui/mask_canvas.cpp" line="106"/>
        <source>Paint %1</source>
        <translation>繪製 %1</translation>
    </message>
    <message>
        <location filename="../ui/mask_canvas.cpp" line="144"/>
        <source>Fill %1</source>
        <translation>填滿 %1</translation>
    </message>
</context>
<context>
    <name>MaskLayerList</name>
    <message>
        <location filename="../ui/mask_layer_list.cpp" line="13"/>
        <source>Tick to show a word&apos;s mask; double-click to change its colour</source>
        <translation>勾選以顯示詞的遮罩；按兩下可變更其顏色</translation>
    </message>
    <message>
        <location filename="../ui/mask_layer_list.cpp" line="24"/>
        <source>Mask colour</source>
        <translation>遮罩顏色</translation>
    </message>
</context>
<context>
    <name>MaskPainter</name>
    <message>
        <location filename="../ui/mask_painter.cpp" line="33"/>
        <source>Extract concepts…</source>
        <translation>擷取概念…</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="37"/>
        <source>Words</source>
        <translation>詞語</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="41"/>
        <source>Learn a new token for each painted object (Break-A-Scene), so prompts can ask for it again: &quot;&lt;asset0&gt; on the grass&quot;</source>
        <translation>為每個繪製了遮罩的物體學習一個新詞元（Break-A-Scene），之後提示詞可以再次要求它：「&lt;asset0&gt; on the grass」</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="86"/>
        <source>Brush</source>
        <translation>筆刷</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="86"/>
        <source>Paint the current word&apos;s mask (B)</source>
        <translation>繪製目前詞的遮罩（B）</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="86"/>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="88"/>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="88"/>
        <source>Erase from the current word&apos;s mask (E)</source>
        <translation>從目前詞的遮罩中擦除（E）</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="89"/>
        <source>E</source>
        <translation>E</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="90"/>
        <source>Fill</source>
        <translation>填滿</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="90"/>
        <source>Flood-fill the region under the click (F)</source>
        <translation>填滿點按處所在的區域（F）</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="91"/>
        <source>F</source>
        <translation>F</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="92"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="95"/>
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="96"/>
        <source>Brush and eraser diameter in image pixels</source>
        <translation>筆刷與橡皮擦的直徑（以影像像素計）</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="100"/>
        <source>Undo</source>
        <translation>復原</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="102"/>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="116"/>
        <source>Import…</source>
        <translation>匯入…</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="116"/>
        <source>Load the current word&apos;s mask from a PNG</source>
        <translation>從 PNG 載入目前詞的遮罩</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="117"/>
        <source>Export…</source>
        <translation>匯出…</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="117"/>
        <source>Save the current word&apos;s mask as a PNG</source>
        <translation>將目前詞的遮罩儲存為 PNG</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="118"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="118"/>
        <source>Clear the current word&apos;s mask</source>
        <translation>清除目前詞的遮罩</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="160"/>
        <source>Set %1</source>
        <translation>設定 %1</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="168"/>
        <source>Import %1</source>
        <translation>匯入 %1</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="187"/>
        <source>step %1</source>
        <translation>第 %1 步</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="188"/>
        <source>all steps</source>
        <translation>所有步驟</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="189"/>
        <source>Alignment for %1, %2</source>
        <translation>%1 的對齊度，%2</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="196"/>
        <source>Import mask for &quot;%1&quot;</source>
        <translation>匯入「%1」的遮罩</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="197"/>
        <location filename="../ui/mask_painter.cpp" line="210"/>
        <source>PNG images (*.png)</source>
        <translation>PNG 影像 (*.png)</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="202"/>
        <source>Import mask</source>
        <translation>匯入遮罩</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="209"/>
        <source>Export mask of &quot;%1&quot;</source>
        <translation>匯出「%1」的遮罩</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="215"/>
        <source>Export mask</source>
        <translation>匯出遮罩</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="223"/>
        <source>Clear %1</source>
        <translation>清除 %1</translation>
    </message>
</context>
<context>
    <name>PlotsPanel</name>
    <message>
        <location filename="../ui/plots_panel.cpp" line="66"/>
        <location filename="../ui/plots_panel.cpp" line="68"/>
        <source>Step</source>
        <translation>步驟</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="66"/>
        <location filename="../ui/plots_panel.cpp" line="67"/>
        <source>Mean attention</source>
        <translation>平均注意力</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="67"/>
        <source>Layer</source>
        <translation>層</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="68"/>
        <source>Score</source>
        <translation>分數</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="71"/>
        <source>Mass per token</source>
        <translation>各詞元質量</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="72"/>
        <source>Per layer</source>
        <translation>逐層</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="73"/>
        <source>Alignment</source>
        <translation>對齊度</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="74"/>
        <source>IoU</source>
        <translation>IoU</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="75"/>
        <source>MSE</source>
        <translation>MSE</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="76"/>
        <source>Mass inside</source>
        <translation>遮罩內質量</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="77"/>
        <source>Alignment score plotted over steps</source>
        <translation>對齊分數隨步驟變化的曲線</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="78"/>
        <source>Export…</source>
        <translation>匯出…</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="79"/>
        <source>Save the plot shown as PNG or PDF</source>
        <translation>將目前圖表儲存為 PNG 或 PDF</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="83"/>
        <source>Alignment score</source>
        <translation>對齊分數</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="164"/>
        <source>Cannot plot this view: %1</source>
        <translation>無法繪製此檢視：%1</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="181"/>
        <source>Step (%1)</source>
        <translation>步驟（%1）</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="192"/>
        <source>mass of &quot;%1&quot;</source>
        <translation>「%1」的質量</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="215"/>
        <source>Cannot score the masks: %1</source>
        <translation>無法為遮罩評分：%1</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="245"/>
        <location filename="../ui/plots_panel.cpp" line="254"/>
        <source>Export plot</source>
        <translation>匯出圖表</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="246"/>
        <source>PNG image (*.png);;PDF document (*.pdf)</source>
        <translation>PNG 影像 (*.png);;PDF 文件 (*.pdf)</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <location filename="../ui/project.cpp" line="29"/>
        <source>cannot be written (%1)</source>
        <translation>無法寫入（%1）</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="36"/>
        <source>the image cannot be encoded as PNG</source>
        <translation>影像無法編碼為 PNG</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="43"/>
        <source>lists %1, which does not exist</source>
        <translation>列出了 %1，但該檔案不存在</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="44"/>
        <source>is not a readable image</source>
        <translation>不是可讀取的影像</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="147"/>
        <source>the folder cannot be created</source>
        <translation>無法建立資料夾</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="185"/>
        <source>the mask cannot be read</source>
        <translation>無法讀取遮罩</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="208"/>
        <source>is not a StoryScope project (it has no project.json)</source>
        <translation>不是 StoryScope 專案（缺少 project.json）</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="209"/>
        <source>cannot be read (%1)</source>
        <translation>無法讀取（%1）</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="214"/>
        <source>is not valid JSON (%1)</source>
        <translation>不是有效的 JSON（%1）</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="218"/>
        <source>is not a StoryScope project file (&quot;format&quot; is not &quot;storyscope-project&quot;)</source>
        <translation>不是 StoryScope 專案檔案（&quot;format&quot; 不是 &quot;storyscope-project&quot;）</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="221"/>
        <source>&quot;version&quot; is not a whole number</source>
        <translation>&quot;version&quot; 不是整數</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="223"/>
        <source>was written by a newer StoryScope (format version %1)</source>
        <translation>由較新版本的 StoryScope 寫入（格式版本 %1）</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="227"/>
        <source>&quot;story&quot; is missing</source>
        <translation>缺少 &quot;story&quot;</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="266"/>
        <source>masks.%1: %2 does not exist</source>
        <translation>masks.%1：%2 不存在</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="35"/>
        <source>model default</source>
        <translation>模型預設值</translation>
    </message>
</context>
<context>
    <name>RunPanel</name>
    <message>
        <location filename="../ui/run_panel.cpp" line="51"/>
        <source>No model loaded: choose a diffusers folder or a checkpoint and press Load.</source>
        <translation>未載入模型：請選擇 diffusers 資料夾或檢查點，然後按下「載入」。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="56"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="61"/>
        <source>diffusers folder or .safetensors checkpoint</source>
        <translation>diffusers 資料夾或 .safetensors 檢查點</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="63"/>
        <source>A diffusers folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/), a single-file checkpoint, or the shipped shapes demo.</source>
        <translation>diffusers 資料夾（model_index.json、unet/、vae/、text_encoder/、tokenizer/）、單一檔案檢查點，或隨附的形狀示範模型。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="65"/>
        <source>demo (shapes world)</source>
        <translation>示範（形狀世界）</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="69"/>
        <source>Folder…</source>
        <translation>資料夾…</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="70"/>
        <location filename="../ui/run_panel.cpp" line="214"/>
        <source>Choose a diffusers model folder</source>
        <translation>選擇 diffusers 模型資料夾</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="73"/>
        <source>File…</source>
        <translation>檔案…</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="74"/>
        <source>Choose a single-file checkpoint (.safetensors)</source>
        <translation>選擇單一檔案檢查點（.safetensors）</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="82"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="83"/>
        <source>CUDA GPU</source>
        <translation>CUDA GPU</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="85"/>
        <source>float32</source>
        <translation>float32</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="86"/>
        <source>float16</source>
        <translation>float16</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="87"/>
        <source>bfloat16</source>
        <translation>bfloat16</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="88"/>
        <source>Lower precision halves the memory; float16 is meant for GPUs.</source>
        <translation>較低精度可將記憶體用量減半；float16 適用於 GPU。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="89"/>
        <source>Device:</source>
        <translation>裝置：</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="90"/>
        <source>Precision:</source>
        <translation>精度：</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="93"/>
        <source>Load model</source>
        <translation>載入模型</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="98"/>
        <source>Choose a model first.</source>
        <translation>請先選擇模型。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="111"/>
        <source>Sampling</source>
        <translation>取樣</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="116"/>
        <source>The scheduler that turns noise predictions into the next latents.</source>
        <translation>將雜訊預測轉換為下一步潛在表示的排程器。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="119"/>
        <source>Denoising steps per frame.</source>
        <translation>每個影格的去噪步數。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="123"/>
        <source>Classifier-free guidance scale; 1 or less turns guidance off.</source>
        <translation>無分類器引導（CFG）強度；小於或等於 1 時關閉引導。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="126"/>
        <source>Lock</source>
        <translation>鎖定</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="128"/>
        <source>Locked: every Generate uses this seed. Unlocked: a new seed for every run.</source>
        <translation>鎖定：每次生成都使用此種子。未鎖定：每次執行使用新種子。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="130"/>
        <source>Random</source>
        <translation>隨機</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="131"/>
        <source>Pick a new seed now</source>
        <translation>立即選取新種子</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="138"/>
        <source>Image width in pixels (a multiple of 8); 0 uses the model&apos;s size.</source>
        <translation>影像寬度，單位為像素（8 的倍數）；0 表示使用模型的尺寸。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="139"/>
        <source>Image height in pixels (a multiple of 8); 0 uses the model&apos;s size.</source>
        <translation>影像高度，單位為像素（8 的倍數）；0 表示使用模型的尺寸。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="144"/>
        <source>Sampler:</source>
        <translation>取樣器：</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="145"/>
        <source>Steps:</source>
        <translation>步數：</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="146"/>
        <source>Guidance:</source>
        <translation>引導強度：</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="147"/>
        <source>Seed:</source>
        <translation>種子：</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="148"/>
        <source>Size:</source>
        <translation>尺寸：</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="149"/>
        <source>Record attention</source>
        <translation>記錄注意力</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="152"/>
        <source>Keep every cross-attention map for the inspector and plots (frames then render one at a time and use more memory).</source>
        <translation>保留所有交叉注意力圖，供檢查器與圖表使用（此時各影格將逐一渲染，並佔用更多記憶體）。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="154"/>
        <source>Live preview</source>
        <translation>即時預覽</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="156"/>
        <source>Decode the predicted final image after every step (slower on large models).</source>
        <translation>每一步之後解碼預測的最終影像（在大型模型上較慢）。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="176"/>
        <source>Run</source>
        <translation>執行</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="179"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="181"/>
        <source>Render every frame of the story (Ctrl+Return)</source>
        <translation>渲染故事的所有影格（Ctrl+Return）</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="182"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="184"/>
        <source>Stop after the current step; finished frames are kept (Esc)</source>
        <translation>在目前步驟完成後停止；已完成的影格將保留（Esc）</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="198"/>
        <source>The predicted final image after the latest step</source>
        <translation>最新一步之後預測的最終影像</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="215"/>
        <source>Choose a checkpoint</source>
        <translation>選擇檢查點</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="216"/>
        <source>Checkpoints (*.safetensors);;All files (*)</source>
        <translation>檢查點 (*.safetensors);;所有檔案 (*)</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="296"/>
        <source>Loaded: %1 (%2, %3 on %4, %5 px)</source>
        <translation>已載入：%1（%2，%3，執行於 %4，%5 像素）</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="309"/>
        <source>Loading the model…</source>
        <translation>正在載入模型…</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="312"/>
        <source>Starting…</source>
        <translation>正在啟動…</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="320"/>
        <source>frame %1/%2 · step %3/%4 · %5 it/s · ETA %6</source>
        <translation>影格 %1/%2 · 步驟 %3/%4 · %5 it/s · 剩餘 %6</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="333"/>
        <source>Predicted final image of frame %1 after step %2</source>
        <translation>第 %1 個影格在第 %2 步之後預測的最終影像</translation>
    </message>
</context>
<context>
    <name>StoryPanel</name>
    <message>
        <location filename="../ui/story_panel.cpp" line="51"/>
        <source>Reference defaults</source>
        <translation>參考預設值</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="51"/>
        <source>Ablation: off</source>
        <translation>消融：全部關閉</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="51"/>
        <source>Ablation: NPR</source>
        <translation>消融：NPR</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="51"/>
        <source>Ablation: SVR</source>
        <translation>消融：SVR</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="52"/>
        <source>Ablation: SVR + IPCA</source>
        <translation>消融：SVR + IPCA</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="54"/>
        <source>Reference defaults are 1Prompt1Story&apos;s settings; the ablations switch SVR and IPCA off and on to compare the same story with and without each technique.</source>
        <translation>參考預設值即 1Prompt1Story 的設定；消融預設集會開關 SVR 與 IPCA，以比較同一故事在使用與不使用各項技術時的效果。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="56"/>
        <source>Apply preset</source>
        <translation>套用預設集</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="59"/>
        <source>Preset:</source>
        <translation>預設集：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="88"/>
        <source>Story</source>
        <translation>故事</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="93"/>
        <source>who the story is about, e.g. a red fox</source>
        <translation>故事的主角，例如 a red fox（一隻紅狐狸）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="95"/>
        <source>The identity prompt P0: it starts every frame&apos;s prompt, so the subject stays the same.</source>
        <translation>身分提示詞 P0：它位於每個影格提示詞的開頭，使主體保持一致。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="97"/>
        <source>Negative prompt, shared by every frame.</source>
        <translation>負面提示詞，所有影格共用。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="98"/>
        <source>Identity:</source>
        <translation>身分：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="99"/>
        <source>Negative:</source>
        <translation>負面：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="108"/>
        <source>One prompt per frame. Double-click to edit, drag to reorder.</source>
        <translation>每個影格一則提示詞。按兩下可編輯，拖曳可調整順序。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="109"/>
        <source>Frames:</source>
        <translation>影格：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="120"/>
        <source>Add</source>
        <translation>新增</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="120"/>
        <source>Add a frame after the selected one</source>
        <translation>在所選影格之後新增一個影格</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="120"/>
        <source>a new scene</source>
        <translation>a new scene</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="121"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="121"/>
        <source>Remove the selected frame</source>
        <translation>移除所選影格</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="122"/>
        <source>Duplicate</source>
        <translation>複製</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="122"/>
        <source>Duplicate the selected frame</source>
        <translation>複製所選影格</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="123"/>
        <source>Up</source>
        <translation>上移</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="123"/>
        <source>Move the selected frame up</source>
        <translation>將所選影格上移</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="124"/>
        <source>Down</source>
        <translation>下移</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="124"/>
        <source>Move the selected frame down</source>
        <translation>將所選影格下移</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="131"/>
        <source>Frame</source>
        <translation>影格</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="131"/>
        <source>Window</source>
        <translation>視窗</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="131"/>
        <source>Tokens</source>
        <translation>詞元</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="133"/>
        <source>Each frame&apos;s prompt is the identity followed by the prompts of its window; the token count must fit every text encoder (75 tokens for CLIP).</source>
        <translation>每個影格的提示詞由身分提示詞加上其視窗內各影格的提示詞組成；詞元數不得超出任一文字編碼器的上限（CLIP 為 75 個詞元）。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="154"/>
        <source>Concepts</source>
        <translation>概念</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="160"/>
        <source>Tokens learned from masked objects (Masks › Extract concepts). Double-click one to put it into the identity prompt.</source>
        <translation>從遮罩物體學到的詞元（遮罩 › 擷取概念）。按兩下詞元可將其插入身分提示詞。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="167"/>
        <source>Insert</source>
        <translation>插入</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="168"/>
        <source>Put the selected token into the identity prompt</source>
        <translation>將所選詞元插入身分提示詞</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="174"/>
        <source>Remove pack</source>
        <translation>移除概念包</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="175"/>
        <source>Unload the concept pack of the selected token (its files stay on disk)</source>
        <translation>卸載所選詞元所屬的概念包（其檔案保留在磁碟上）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="193"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="197"/>
        <source>From the concept pack %1</source>
        <translation>來自概念包 %1</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="215"/>
        <source>Sliding window</source>
        <translation>滑動視窗</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="218"/>
        <source>Circular (reference code)</source>
        <translation>循環（參考程式碼）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="219"/>
        <source>Trailing (paper)</source>
        <translation>尾隨（論文）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="221"/>
        <source>Which frame prompts join each frame&apos;s prompt. Circular: the frame and the next ones, wrapping around. Trailing: the frames ending at this one.</source>
        <translation>哪些影格的提示詞會併入每個影格的提示詞。循環：目前影格及其後續影格，到結尾後繞回開頭。尾隨：以目前影格結尾的若干影格。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="226"/>
        <source>How many frame prompts each prompt holds. The run uses fewer when the prompts would not fit the text encoder.</source>
        <translation>每則提示詞包含多少個影格的提示詞。若超出文字編碼器的容量，執行時會使用較少的影格。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="228"/>
        <location filename="../ui/story_panel.cpp" line="255"/>
        <source>Mode:</source>
        <translation>模式：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="229"/>
        <source>Size:</source>
        <translation>大小：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="236"/>
        <source>Singular-value reweighting (SVR)</source>
        <translation>奇異值重新加權（SVR）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="239"/>
        <source>SVR</source>
        <translation>SVR</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="240"/>
        <source>SVR incl. end tokens</source>
        <translation>SVR（含結束詞元）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="241"/>
        <source>Naive prompt reweighting (NPR)</source>
        <translation>單純提示詞重新加權（NPR）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="242"/>
        <source>Off</source>
        <translation>關閉</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="244"/>
        <source>SVR strengthens the current frame&apos;s words and weakens the other frames&apos; words in the text embedding by rescaling singular values: s&apos; = beta * s * exp(-alpha * s).</source>
        <translation>SVR 透過重新縮放奇異值，在文字嵌入中增強目前影格的詞、削弱其他影格的詞：s&apos; = beta * s * exp(-alpha * s)。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="247"/>
        <source>alpha in s&apos; = beta * s * exp(-alpha * s): how strongly large singular values are damped (negative: boosted).</source>
        <translation>s&apos; = beta * s * exp(-alpha * s) 中的 alpha：較大奇異值被衰減的強度（為負時則被放大）。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="250"/>
        <source>beta in s&apos; = beta * s * exp(-alpha * s): overall scale of the singular values.</source>
        <translation>s&apos; = beta * s * exp(-alpha * s) 中的 beta：奇異值的整體縮放係數。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="251"/>
        <location filename="../ui/story_panel.cpp" line="252"/>
        <source>Express (current frame): </source>
        <translation>增強（目前影格）：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="253"/>
        <location filename="../ui/story_panel.cpp" line="254"/>
        <source>Suppress (other frames): </source>
        <translation>抑制（其他影格）：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="256"/>
        <source>Express α:</source>
        <translation>增強 α：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="257"/>
        <source>Express β:</source>
        <translation>增強 β：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="258"/>
        <source>Suppress α:</source>
        <translation>抑制 α：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="259"/>
        <source>Suppress β:</source>
        <translation>抑制 β：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="267"/>
        <source>Identity-preserving cross-attention (IPCA)</source>
        <translation>身分保持交叉注意力（IPCA）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="269"/>
        <source>Enabled</source>
        <translation>啟用</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="271"/>
        <source>Every cross-attention layer also attends to the identity prompt&apos;s keys and values, which keeps the subject consistent across frames.</source>
        <translation>每個交叉注意力層也會關注身分提示詞的鍵與值，從而使主體在各影格之間保持一致。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="275"/>
        <source>Where IPCA acts, comma-separated: down, mid, up (whole parts of the UNet) or single blocks such as down1, up0.</source>
        <translation>IPCA 作用的位置，以逗號分隔：down、mid、up（UNet 的整個部分），或單一區塊，如 down1、up0。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="279"/>
        <source>The first denoising step with IPCA; earlier steps use plain cross-attention.</source>
        <translation>啟用 IPCA 的第一個去噪步驟；之前的步驟使用一般交叉注意力。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="281"/>
        <source>Probability of dropping each identity key (seeded per frame), to loosen the identity&apos;s grip.</source>
        <translation>捨棄每個身分鍵的機率（每個影格各自設定隨機種子），用於減弱身分的約束。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="284"/>
        <source>Positions:</source>
        <translation>位置：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="285"/>
        <source>Start step:</source>
        <translation>起始步驟：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="286"/>
        <source>Dropout:</source>
        <translation>丟棄率：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="423"/>
        <source>Load a model to see each frame&apos;s window and token count.</source>
        <translation>載入模型後即可檢視每個影格的視窗與詞元數。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="439"/>
        <source>This story cannot run as written: %1</source>
        <translation>此故事依目前寫法無法執行：%1</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="443"/>
        <source>Window: %1 of %2 frames per prompt</source>
        <translation>視窗：每則提示詞 %1 個影格（設定為 %2 個影格）</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/gui_main.cpp" line="69"/>
        <source>Save a PNG of the main window and quit.</source>
        <translation>將主視窗儲存為 PNG 後結束。</translation>
    </message>
    <message>
        <location filename="../app/gui_main.cpp" line="71"/>
        <source>Open this project folder.</source>
        <translation>開啟此專案資料夾。</translation>
    </message>
    <message>
        <location filename="../app/gui_main.cpp" line="75"/>
        <source>Show this view first: story, frames, inspector, masks or plots.</source>
        <translation>首先顯示此檢視：story、frames、inspector、masks 或 plots。</translation>
    </message>
</context>
</TS>
