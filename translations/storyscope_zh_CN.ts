<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
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
        <translation>仅 CPU</translation>
    </message>
    <message>
        <location filename="../ui/about_info.cpp" line="15"/>
        <source>&lt;h3&gt;StoryScope %1&lt;/h3&gt;&lt;p&gt;Look inside Stable Diffusion: per-token attention at every step and layer, and consistent multi-frame stories.&lt;/p&gt;&lt;p&gt;Qt %2&lt;br&gt;LibTorch %3&lt;br&gt;Device: %4, %5 threads&lt;/p&gt;</source>
        <translation>&lt;h3&gt;StoryScope %1&lt;/h3&gt;&lt;p&gt;深入 Stable Diffusion 内部：查看每个步骤、每一层的逐词元注意力，并生成一致的多帧故事。&lt;/p&gt;&lt;p&gt;Qt %2&lt;br&gt;LibTorch %3&lt;br&gt;设备：%4，%5 个线程&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>AlignmentTable</name>
    <message>
        <location filename="../ui/alignment_scores.cpp" line="26"/>
        <source>not defined for self-attention PCA</source>
        <translation>未针对自注意力 PCA 定义</translation>
    </message>
    <message>
        <location filename="../ui/alignment_table.cpp" line="10"/>
        <source>Word</source>
        <translation>词</translation>
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
        <translation>蒙版内质量</translation>
    </message>
    <message>
        <location filename="../ui/alignment_table.cpp" line="12"/>
        <source>Mean squared error between the mask and the map divided by its max (lower is better)</source>
        <translation>蒙版与按最大值归一化后的注意力图之间的均方误差（越低越好）</translation>
    </message>
    <message>
        <location filename="../ui/alignment_table.cpp" line="14"/>
        <source>Intersection over union of the map thresholded at 0.4 of its max with the mask</source>
        <translation>注意力图以其最大值的 0.4 为阈值二值化后，与蒙版的交并比（IoU）</translation>
    </message>
    <message>
        <location filename="../ui/alignment_table.cpp" line="16"/>
        <source>Share of the word&apos;s attention that falls inside the mask</source>
        <translation>该词的注意力落在蒙版内的比例</translation>
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
        <translation>未选择帧</translation>
    </message>
    <message>
        <location filename="../ui/attention_inspector.cpp" line="149"/>
        <source>This frame has no attention records</source>
        <translation>此帧没有注意力记录</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/attention_inspector.cpp" line="154"/>
        <source>%n map(s)</source>
        <translation>
            <numerusform>%n 张图</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/attention_inspector.cpp" line="156"/>
        <source>Cannot show this view: %1</source>
        <translation>无法显示此视图：%1</translation>
    </message>
</context>
<context>
    <name>ConceptDialog</name>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="41"/>
        <source>Extract concepts</source>
        <translation>提取概念</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="42"/>
        <source>Extract</source>
        <translation>提取</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="45"/>
        <source>Learn one new token per ticked mask layer from this frame</source>
        <translation>从这一帧为每个勾选的蒙版层学习一个新词元</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="46"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="48"/>
        <source>Stop after the current step; the checkpoint is kept and no pack is written</source>
        <translation>在当前步骤后停止；保留检查点，不写入概念包</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="49"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="64"/>
        <source>Tick the layers to learn and press Extract.</source>
        <translation>勾选要学习的图层，然后点击“提取”。</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="74"/>
        <source>Concepts</source>
        <translation>概念</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="78"/>
        <source>Mask layer</source>
        <translation>蒙版层</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="78"/>
        <source>Initializer word</source>
        <translation>初始词</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="82"/>
        <source>Each ticked layer becomes one new token (&lt;asset0&gt;, &lt;asset1&gt;, … in this order). Its embedding starts from the initializer word; leave it empty to start from the mean.</source>
        <translation>每个勾选的图层成为一个新词元（按此顺序为 &lt;asset0&gt;、&lt;asset1&gt;、…）。其嵌入从初始词开始；留空则从平均嵌入开始。</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="96"/>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="98"/>
        <source>Phase 1: only the new token embeddings learn</source>
        <translation>阶段 1：只训练新词元的嵌入</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="100"/>
        <source>Phase 2: the UNet and the text encoder learn too, at a much lower rate</source>
        <translation>阶段 2：UNet 和文本编码器也参与训练，学习率低得多</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="107"/>
        <source>Weight of the attention loss, which pulls each token&apos;s cross-attention map onto its mask (0: the masked diffusion loss alone)</source>
        <translation>注意力损失的权重，它把每个词元的交叉注意力图拉向其蒙版（0：只用蒙版扩散损失）</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="112"/>
        <source>Seeds the timesteps, noise, flips and token subsets of every step</source>
        <translation>决定每一步的时间步、噪声、翻转和词元子集的随机种子</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="115"/>
        <source>The tokens are &lt;prefix0&gt;, &lt;prefix1&gt;, …: choose one not in use</source>
        <translation>词元为 &lt;前缀0&gt;、&lt;前缀1&gt;、…：请选择尚未使用的前缀</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="116"/>
        <source>Phase 1 steps:</source>
        <translation>阶段 1 步数：</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="117"/>
        <source>Phase 2 steps:</source>
        <translation>阶段 2 步数：</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="118"/>
        <source>Attention loss λ:</source>
        <translation>注意力损失 λ：</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="119"/>
        <source>Seed:</source>
        <translation>种子：</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="120"/>
        <source>Token prefix:</source>
        <translation>词元前缀：</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="123"/>
        <source>Concept pack folder</source>
        <translation>概念包文件夹</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="128"/>
        <source>concepts.safetensors and concepts.json go here, with a checkpoint while it runs (a cancelled run resumes from it when started again with the same settings)</source>
        <translation>concepts.safetensors 和 concepts.json 写入此处，运行期间还有一个检查点（已取消的运行以相同设置再次开始时会从它继续）</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="131"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="180"/>
        <source>Folder for the concept pack</source>
        <translation>概念包的文件夹</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="193"/>
        <source>Cancelled: no pack was written. Press Extract to resume from the checkpoint.</source>
        <translation>已取消：未写入概念包。点击“提取”可从检查点继续。</translation>
    </message>
    <message>
        <location filename="../ui/concept_dialog.cpp" line="196"/>
        <source>Done: the pack is in %1. The new tokens are listed in the Story panel.</source>
        <translation>完成：概念包位于 %1。新词元已列在“故事”面板中。</translation>
    </message>
</context>
<context>
    <name>ConceptRunView</name>
    <message>
        <location filename="../ui/concept_run_view.cpp" line="25"/>
        <source>Step</source>
        <translation>步骤</translation>
    </message>
    <message>
        <location filename="../ui/concept_run_view.cpp" line="26"/>
        <source>Loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <location filename="../ui/concept_run_view.cpp" line="36"/>
        <source>Diffusion (masked)</source>
        <translation>扩散（蒙版内）</translation>
    </message>
    <message>
        <location filename="../ui/concept_run_view.cpp" line="38"/>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <location filename="../ui/concept_run_view.cpp" line="42"/>
        <source>Attention of the tokens trained in the last step:</source>
        <translation>上一步所训练词元的注意力：</translation>
    </message>
    <message>
        <location filename="../ui/concept_run_view.cpp" line="63"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location filename="../ui/concept_run_view.cpp" line="80"/>
        <source>step %1/%2 · phase %3 · %4 steps/s · ETA %5</source>
        <translation>步骤 %1/%2 · 阶段 %3 · %4 步/秒 · 剩余 %5</translation>
    </message>
    <message>
        <location filename="../ui/concept_run_view.cpp" line="107"/>
        <source>Where %1 attends (attention divided by its maximum)</source>
        <translation>%1 关注的位置（注意力除以其最大值）</translation>
    </message>
</context>
<context>
    <name>EngineWorker</name>
    <message>
        <location filename="../ui/engine_worker.cpp" line="30"/>
        <source>out of memory (try a smaller size, fewer frames per batch or a lower precision)</source>
        <translation>内存不足（请尝试更小的尺寸、更少的每批帧数或更低的精度）</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="53"/>
        <source>CUDA is not available on this machine</source>
        <translation>此计算机上没有可用的 CUDA</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="56"/>
        <source>Loading model %1</source>
        <translation>正在加载模型 %1</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="83"/>
        <source>Model loaded: %1 (%2, %3)</source>
        <translation>模型已加载：%1（%2，%3）</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="87"/>
        <source>Concepts available: %1</source>
        <translation>可用概念：%1</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="96"/>
        <source>Could not load the model %1: %2</source>
        <translation>无法加载模型 %1：%2</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="105"/>
        <location filename="../ui/engine_worker_concepts.cpp" line="76"/>
        <source>no model is loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="114"/>
        <source>Generating %1 frames, %2 steps each</source>
        <translation>正在生成 %1 帧，每帧 %2 步</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="117"/>
        <source>Cancelled: %1 finished frames kept</source>
        <translation>已取消：保留了 %1 个已完成的帧</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="118"/>
        <source>Finished: %1 frames (window %2, batch %3)</source>
        <translation>已完成：%1 帧（窗口 %2，批次 %3）</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker.cpp" line="123"/>
        <source>The story could not be generated: %1</source>
        <translation>无法生成故事：%1</translation>
    </message>
    <message>
        <location filename="../ui/concept_pack_loading.cpp" line="22"/>
        <source>The concept pack %1 was not loaded: %2</source>
        <translation>未加载概念包 %1：%2</translation>
    </message>
    <message>
        <location filename="../ui/concept_pack_loading.cpp" line="30"/>
        <source>The concept packs %1 were not applied to this model: %2</source>
        <translation>概念包 %1 未应用到此模型：%2</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker_concepts.cpp" line="78"/>
        <source>the folder %1 cannot be created</source>
        <translation>无法创建文件夹 %1</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker_concepts.cpp" line="86"/>
        <source>Loading a float32 copy of %1 to train on</source>
        <translation>正在加载 %1 的 float32 副本用于训练</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker_concepts.cpp" line="91"/>
        <source>Resuming from the checkpoint in %1 at step %2</source>
        <translation>从 %1 中的检查点（第 %2 步）继续</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker_concepts.cpp" line="92"/>
        <source>Extracting %1 concepts (%2): %3 + %4 steps</source>
        <translation>正在提取 %1 个概念（%2）：%3 + %4 步</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker_concepts.cpp" line="104"/>
        <source>Concept extraction cancelled after step %1; the checkpoint in %2 resumes it</source>
        <translation>概念提取在第 %1 步后取消；可从 %2 中的检查点继续</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker_concepts.cpp" line="113"/>
        <source>Concept pack written to %1</source>
        <translation>概念包已写入 %1</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker_concepts.cpp" line="116"/>
        <source>The concepts could not be extracted: %1</source>
        <translation>无法提取概念：%1</translation>
    </message>
    <message>
        <location filename="../ui/engine_worker_concepts.cpp" line="127"/>
        <source>Could not reload the model with the concepts: %1</source>
        <translation>无法带着这些概念重新加载模型：%1</translation>
    </message>
</context>
<context>
    <name>FramesView</name>
    <message>
        <location filename="../ui/frames_view.cpp" line="22"/>
        <source>No frames yet: write a story and press Generate (Ctrl+Return).</source>
        <translation>还没有帧：请编写故事并点击“生成”（Ctrl+Return）。</translation>
    </message>
    <message>
        <location filename="../ui/frames_view.cpp" line="40"/>
        <source>Strip</source>
        <translation>并排</translation>
    </message>
    <message>
        <location filename="../ui/frames_view.cpp" line="42"/>
        <source>Show every frame side by side</source>
        <translation>并排显示所有帧</translation>
    </message>
    <message>
        <location filename="../ui/frames_view.cpp" line="45"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../ui/frames_view.cpp" line="46"/>
        <source>Write frames, strip, GIF/MP4, story.json and attention records to a folder</source>
        <translation>将各帧、并排图、GIF/MP4、story.json 和注意力记录写入文件夹</translation>
    </message>
    <message>
        <location filename="../ui/frames_view.cpp" line="75"/>
        <source>Frame %1</source>
        <translation>第 %1 帧</translation>
    </message>
</context>
<context>
    <name>HeatmapControls</name>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="26"/>
        <source>Words</source>
        <translation>词语</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="31"/>
        <source>Layer</source>
        <translation>层</translation>
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
        <translation>层：单个交叉注意力层。Prompt-to-Prompt：16x16 分辨率下 down/up 各层的平均。DAAM：除最粗糙层外的所有层，上采样后取平均。自注意力 PCA：自注意力矩阵的主成分。</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="39"/>
        <source>None</source>
        <translation>无</translation>
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
        <translation>着色前如何缩放每张图</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="45"/>
        <source>Final image</source>
        <translation>最终图像</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="46"/>
        <source>Predicted x0 of the step</source>
        <translation>该步预测的 x0</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="47"/>
        <source>Map only</source>
        <translation>仅注意力图</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="48"/>
        <source>One map per word (mean of its tokens) instead of one per token</source>
        <translation>每个词一张图（其词元的平均），而不是每个词元一张图</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="52"/>
        <source>Opacity of the heatmap over the picture</source>
        <translation>热力图覆盖在图像上的不透明度</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="59"/>
        <source>View</source>
        <translation>视图</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="61"/>
        <source>Heads</source>
        <translation>注意力头</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="64"/>
        <source>Normalise</source>
        <translation>归一化</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="66"/>
        <source>Colormap</source>
        <translation>颜色映射</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="68"/>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="70"/>
        <source>Over</source>
        <translation>叠加于</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="93"/>
        <source>Mean</source>
        <translation>平均</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="94"/>
        <source>Head %1</source>
        <translation>头 %1</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="97"/>
        <source>Mean over heads or one head (Layer view)</source>
        <translation>所有注意力头的平均或单个头（层视图）</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_controls.cpp" line="98"/>
        <source>These records were averaged over heads when recorded</source>
        <translation>这些记录在录制时已对注意力头取平均</translation>
    </message>
</context>
<context>
    <name>HeatmapLayerTree</name>
    <message>
        <location filename="../ui/heatmap_layer_tree.cpp" line="20"/>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_layer_tree.cpp" line="20"/>
        <source>Resolution</source>
        <translation>分辨率</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_layer_tree.cpp" line="34"/>
        <source>down</source>
        <translation>下采样块</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_layer_tree.cpp" line="34"/>
        <source>mid</source>
        <translation>中间块</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_layer_tree.cpp" line="34"/>
        <source>up</source>
        <translation>上采样块</translation>
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
        <translation>所有步骤</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_step_bar.cpp" line="24"/>
        <source>Step</source>
        <translation>步骤</translation>
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
        <translation>显示其注意力的去噪步骤</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_step_bar.cpp" line="32"/>
        <source>Show the mean over every recorded step</source>
        <translation>显示所有已记录步骤的平均</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_step_bar.cpp" line="78"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../ui/heatmap_step_bar.cpp" line="94"/>
        <source>no steps</source>
        <translation>无步骤</translation>
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
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="59"/>
        <source>Attention inspector</source>
        <translation>注意力检查器</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="60"/>
        <source>Per-token heatmaps for any step and layer.</source>
        <translation>任意步骤与层的逐词元热力图。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="61"/>
        <source>Masks</source>
        <translation>蒙版</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="62"/>
        <source>Paint masks per token and score attention alignment.</source>
        <translation>为每个词元绘制蒙版并评估注意力对齐程度。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="63"/>
        <source>Plots</source>
        <translation>图表</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="64"/>
        <source>Attention mass per token over steps, per-layer bars, alignment vs step.</source>
        <translation>各词元注意力质量随步骤变化、逐层柱状图、对齐度随步骤变化。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="65"/>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="80"/>
        <source>Autosave failed: %1</source>
        <translation>自动保存失败：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="86"/>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="95"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="96"/>
        <source>StoryScope started</source>
        <translation>StoryScope 已启动</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="103"/>
        <source>Opened the built-in example story</source>
        <translation>已打开内置示例故事</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="104"/>
        <source>Opened the example story %1</source>
        <translation>已打开示例故事 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="109"/>
        <source>No model loaded: the demo model (resources/models/shapes-demo) is not installed. Choose a diffusers folder or a checkpoint and press Load.</source>
        <translation>未加载模型：未安装演示模型（resources/models/shapes-demo）。请选择 diffusers 文件夹或检查点，然后点击“加载”。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="181"/>
        <source>Attention recording is off for this model size; switch it on in the Run panel</source>
        <translation>此模型规模下注意力记录已关闭；可在“运行”面板中开启</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="184"/>
        <source>Model loaded: %1</source>
        <translation>模型已加载：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="191"/>
        <source>Frame %1 ready</source>
        <translation>第 %1 帧已就绪</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="194"/>
        <source>Frame %1 failed: %2</source>
        <translation>第 %1 帧失败：%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="200"/>
        <source>Cancelled: finished frames are kept</source>
        <translation>已取消：已完成的帧已保留</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="200"/>
        <source>Finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="217"/>
        <source>No model loaded: %1</source>
        <translation>未加载模型：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="235"/>
        <source>Extracting concepts (progress in the Extract concepts window)</source>
        <translation>正在提取概念（进度见“提取概念”窗口）</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="260"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="260"/>
        <source>No model is loaded: choose one in the Run panel and press Load model.</source>
        <translation>未加载模型：请在“运行”面板中选择模型，然后点击“加载模型”。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="269"/>
        <source>The story cannot run: %1</source>
        <translation>无法运行此故事：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="279"/>
        <source>Generating %1 frames…</source>
        <translation>正在生成 %1 帧…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="286"/>
        <source>Cancelling after the current step…</source>
        <translation>将在当前步骤完成后取消…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="287"/>
        <source>Cancel requested</source>
        <translation>已请求取消</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="291"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="292"/>
        <source>&amp;New project</source>
        <translation>新建项目(&amp;N)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="293"/>
        <source>&amp;Open project…</source>
        <translation>打开项目(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="294"/>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="296"/>
        <source>&amp;Save project</source>
        <translation>保存项目(&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="297"/>
        <source>Save project &amp;as…</source>
        <translation>项目另存为(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="299"/>
        <source>&amp;Import story.json…</source>
        <translation>导入 story.json(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="299"/>
        <source>Ctrl+I</source>
        <translation>Ctrl+I</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="301"/>
        <source>&amp;Export frames…</source>
        <translation>导出帧(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="301"/>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="303"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="305"/>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="306"/>
        <source>&amp;Load model</source>
        <translation>加载模型(&amp;L)</translation>
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
        <translation>加载概念包(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="321"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="324"/>
        <source>&amp;Strip</source>
        <translation>并排显示(&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="324"/>
        <source>Ctrl+T</source>
        <translation>Ctrl+T</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="326"/>
        <source>&amp;Reset layout</source>
        <translation>重置布局(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="329"/>
        <source>Layout reset</source>
        <translation>布局已重置</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="335"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="336"/>
        <source>&amp;About StoryScope</source>
        <translation>关于 StoryScope(&amp;A)</translation>
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
        <translation>关于 StoryScope</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="49"/>
        <source>The project has unsaved changes. Save them first?</source>
        <translation>项目有未保存的更改。是否先保存？</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="68"/>
        <source>New project</source>
        <translation>新建项目</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="76"/>
        <source>Open project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="76"/>
        <source>The project could not be opened: %1</source>
        <translation>无法打开项目：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="82"/>
        <source>Opened project %1 (%2 frames)</source>
        <translation>已打开项目 %1（%2 帧）</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="83"/>
        <source>Opened %1</source>
        <translation>已打开 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="96"/>
        <source>Save project</source>
        <translation>保存项目</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="96"/>
        <source>The project could not be saved: %1</source>
        <translation>无法保存项目：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="101"/>
        <source>Saved project %1</source>
        <translation>已保存项目 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="102"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="110"/>
        <source>Save the project into a folder</source>
        <translation>将项目保存到文件夹</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="116"/>
        <source>Open a project folder</source>
        <translation>打开项目文件夹</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="128"/>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="130"/>
        <source>Clear list</source>
        <translation>清除列表</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="135"/>
        <source>StoryScope did not close normally. Restore the work autosaved at %1%2?</source>
        <translation>StoryScope 上次未正常关闭。是否恢复于 %1%2 自动保存的工作？</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="137"/>
        <source> (project %1)</source>
        <translation>（项目 %1）</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="138"/>
        <location filename="../ui/main_window_project.cpp" line="147"/>
        <source>Recover unsaved work</source>
        <translation>恢复未保存的工作</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="147"/>
        <source>The autosaved work could not be read: %1</source>
        <translation>无法读取自动保存的工作：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="153"/>
        <source>Recovered autosaved work</source>
        <translation>已恢复自动保存的工作</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="158"/>
        <location filename="../ui/main_window_project.cpp" line="167"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="158"/>
        <source>There are no frames to export yet.</source>
        <translation>还没有可导出的帧。</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="163"/>
        <source>Exported %1 files to %2</source>
        <translation>已将 %1 个文件导出到 %2</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="164"/>
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="167"/>
        <source>The export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="173"/>
        <source>Export frames into a folder</source>
        <translation>将帧导出到文件夹</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="178"/>
        <source>Import a story</source>
        <translation>导入故事</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="179"/>
        <source>Stories (*.story.json *.json)</source>
        <translation>故事 (*.story.json *.json)</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="186"/>
        <source>Imported story %1</source>
        <translation>已导入故事 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="188"/>
        <source>Import story</source>
        <translation>导入故事</translation>
    </message>
    <message>
        <location filename="../ui/main_window_project.cpp" line="188"/>
        <source>The story could not be read: %1</source>
        <translation>无法读取故事：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="15"/>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="23"/>
        <source>&amp;System</source>
        <translation>跟随系统(&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="24"/>
        <source>&amp;Light</source>
        <translation>浅色(&amp;L)</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="25"/>
        <source>&amp;Dark</source>
        <translation>深色(&amp;D)</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="35"/>
        <source>Theme: %1</source>
        <translation>主题：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="41"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="51"/>
        <source>&amp;System language</source>
        <translation>系统语言(&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="64"/>
        <source>Language: %1 (from the next start)</source>
        <translation>语言：%1（下次启动时生效）</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="66"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../ui/main_window_appearance.cpp" line="67"/>
        <source>The new language is used the next time StoryScope starts.</source>
        <translation>新的语言将在下次启动 StoryScope 时生效。</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="25"/>
        <source>Concept extraction cancelled; no pack was written</source>
        <translation>概念提取已取消；未写入概念包</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="27"/>
        <source>Concepts learned: loading them into the model…</source>
        <translation>概念已学会：正在把它们加载到模型中…</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="83"/>
        <source>Extract concepts</source>
        <translation>提取概念</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="85"/>
        <source>No model is loaded: load the model the frame was made with first.</source>
        <translation>未加载模型：请先加载生成这一帧所用的模型。</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="89"/>
        <source>Generate or select a frame first, then paint a mask over each object to learn.</source>
        <translation>请先生成或选择一帧，然后在每个要学习的物体上绘制蒙版。</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="93"/>
        <source>Paint a mask over each object to learn (one mask layer per object) first.</source>
        <translation>请先在每个要学习的物体上绘制蒙版（每个物体一个蒙版层）。</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="112"/>
        <source>The engine is busy: wait for the current task to finish.</source>
        <translation>引擎正忙：请等待当前任务完成。</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="120"/>
        <source>Extracting concepts into %1</source>
        <translation>正在将概念提取到 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window_concepts.cpp" line="133"/>
        <source>Open a concept pack folder</source>
        <translation>打开概念包文件夹</translation>
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
        <translation>绘制 %1</translation>
    </message>
    <message>
        <location filename="../ui/mask_canvas.cpp" line="144"/>
        <source>Fill %1</source>
        <translation>填充 %1</translation>
    </message>
</context>
<context>
    <name>MaskLayerList</name>
    <message>
        <location filename="../ui/mask_layer_list.cpp" line="13"/>
        <source>Tick to show a word&apos;s mask; double-click to change its colour</source>
        <translation>勾选以显示词的蒙版；双击可更改其颜色</translation>
    </message>
    <message>
        <location filename="../ui/mask_layer_list.cpp" line="24"/>
        <source>Mask colour</source>
        <translation>蒙版颜色</translation>
    </message>
</context>
<context>
    <name>MaskPainter</name>
    <message>
        <location filename="../ui/mask_painter.cpp" line="33"/>
        <source>Extract concepts…</source>
        <translation>提取概念…</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="37"/>
        <source>Words</source>
        <translation>词语</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="41"/>
        <source>Learn a new token for each painted object (Break-A-Scene), so prompts can ask for it again: &quot;&lt;asset0&gt; on the grass&quot;</source>
        <translation>为每个绘制了蒙版的物体学习一个新词元（Break-A-Scene），之后提示词可以再次请求它：“&lt;asset0&gt; on the grass”</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="86"/>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="86"/>
        <source>Paint the current word&apos;s mask (B)</source>
        <translation>绘制当前词的蒙版（B）</translation>
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
        <translation>从当前词的蒙版中擦除（E）</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="89"/>
        <source>E</source>
        <translation>E</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="90"/>
        <source>Fill</source>
        <translation>填充</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="90"/>
        <source>Flood-fill the region under the click (F)</source>
        <translation>泛洪填充点击处所在的区域（F）</translation>
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
        <translation>画笔和橡皮擦的直径（以图像像素计）</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="100"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="102"/>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="116"/>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="116"/>
        <source>Load the current word&apos;s mask from a PNG</source>
        <translation>从 PNG 加载当前词的蒙版</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="117"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="117"/>
        <source>Save the current word&apos;s mask as a PNG</source>
        <translation>将当前词的蒙版保存为 PNG</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="118"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="118"/>
        <source>Clear the current word&apos;s mask</source>
        <translation>清除当前词的蒙版</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="160"/>
        <source>Set %1</source>
        <translation>设置 %1</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="168"/>
        <source>Import %1</source>
        <translation>导入 %1</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="187"/>
        <source>step %1</source>
        <translation>第 %1 步</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="188"/>
        <source>all steps</source>
        <translation>所有步骤</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="189"/>
        <source>Alignment for %1, %2</source>
        <translation>%1 的对齐度，%2</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="196"/>
        <source>Import mask for &quot;%1&quot;</source>
        <translation>导入“%1”的蒙版</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="197"/>
        <location filename="../ui/mask_painter.cpp" line="210"/>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="202"/>
        <source>Import mask</source>
        <translation>导入蒙版</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="209"/>
        <source>Export mask of &quot;%1&quot;</source>
        <translation>导出“%1”的蒙版</translation>
    </message>
    <message>
        <location filename="../ui/mask_painter.cpp" line="215"/>
        <source>Export mask</source>
        <translation>导出蒙版</translation>
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
        <translation>步骤</translation>
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
        <translation>层</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="68"/>
        <source>Score</source>
        <translation>分数</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="71"/>
        <source>Mass per token</source>
        <translation>各词元质量</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="72"/>
        <source>Per layer</source>
        <translation>逐层</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="73"/>
        <source>Alignment</source>
        <translation>对齐度</translation>
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
        <translation>蒙版内质量</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="77"/>
        <source>Alignment score plotted over steps</source>
        <translation>对齐分数随步骤变化的曲线</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="78"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="79"/>
        <source>Save the plot shown as PNG or PDF</source>
        <translation>将当前图表保存为 PNG 或 PDF</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="83"/>
        <source>Alignment score</source>
        <translation>对齐分数</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="164"/>
        <source>Cannot plot this view: %1</source>
        <translation>无法绘制此视图：%1</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="181"/>
        <source>Step (%1)</source>
        <translation>步骤（%1）</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="192"/>
        <source>mass of &quot;%1&quot;</source>
        <translation>“%1”的质量</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="215"/>
        <source>Cannot score the masks: %1</source>
        <translation>无法为蒙版评分：%1</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="245"/>
        <location filename="../ui/plots_panel.cpp" line="254"/>
        <source>Export plot</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <location filename="../ui/plots_panel.cpp" line="246"/>
        <source>PNG image (*.png);;PDF document (*.pdf)</source>
        <translation>PNG 图像 (*.png);;PDF 文档 (*.pdf)</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <location filename="../ui/project.cpp" line="29"/>
        <source>cannot be written (%1)</source>
        <translation>无法写入（%1）</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="36"/>
        <source>the image cannot be encoded as PNG</source>
        <translation>图像无法编码为 PNG</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="43"/>
        <source>lists %1, which does not exist</source>
        <translation>列出了 %1，但该文件不存在</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="44"/>
        <source>is not a readable image</source>
        <translation>不是可读取的图像</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="147"/>
        <source>the folder cannot be created</source>
        <translation>无法创建文件夹</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="185"/>
        <source>the mask cannot be read</source>
        <translation>无法读取蒙版</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="208"/>
        <source>is not a StoryScope project (it has no project.json)</source>
        <translation>不是 StoryScope 项目（缺少 project.json）</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="209"/>
        <source>cannot be read (%1)</source>
        <translation>无法读取（%1）</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="214"/>
        <source>is not valid JSON (%1)</source>
        <translation>不是有效的 JSON（%1）</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="218"/>
        <source>is not a StoryScope project file (&quot;format&quot; is not &quot;storyscope-project&quot;)</source>
        <translation>不是 StoryScope 项目文件（&quot;format&quot; 不是 &quot;storyscope-project&quot;）</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="221"/>
        <source>&quot;version&quot; is not a whole number</source>
        <translation>&quot;version&quot; 不是整数</translation>
    </message>
    <message>
        <location filename="../ui/project.cpp" line="223"/>
        <source>was written by a newer StoryScope (format version %1)</source>
        <translation>由更新版本的 StoryScope 写入（格式版本 %1）</translation>
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
        <translation>模型默认值</translation>
    </message>
</context>
<context>
    <name>RunPanel</name>
    <message>
        <location filename="../ui/run_panel.cpp" line="51"/>
        <source>No model loaded: choose a diffusers folder or a checkpoint and press Load.</source>
        <translation>未加载模型：请选择 diffusers 文件夹或检查点，然后点击“加载”。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="56"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="61"/>
        <source>diffusers folder or .safetensors checkpoint</source>
        <translation>diffusers 文件夹或 .safetensors 检查点</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="63"/>
        <source>A diffusers folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/), a single-file checkpoint, or the shipped shapes demo.</source>
        <translation>diffusers 文件夹（model_index.json、unet/、vae/、text_encoder/、tokenizer/）、单文件检查点，或随附的形状演示模型。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="65"/>
        <source>demo (shapes world)</source>
        <translation>演示（形状世界）</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="69"/>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="70"/>
        <location filename="../ui/run_panel.cpp" line="214"/>
        <source>Choose a diffusers model folder</source>
        <translation>选择 diffusers 模型文件夹</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="73"/>
        <source>File…</source>
        <translation>文件…</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="74"/>
        <source>Choose a single-file checkpoint (.safetensors)</source>
        <translation>选择单文件检查点（.safetensors）</translation>
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
        <translation>较低精度可将内存占用减半；float16 适用于 GPU。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="89"/>
        <source>Device:</source>
        <translation>设备：</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="90"/>
        <source>Precision:</source>
        <translation>精度：</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="93"/>
        <source>Load model</source>
        <translation>加载模型</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="98"/>
        <source>Choose a model first.</source>
        <translation>请先选择模型。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="111"/>
        <source>Sampling</source>
        <translation>采样</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="116"/>
        <source>The scheduler that turns noise predictions into the next latents.</source>
        <translation>将噪声预测转换为下一步潜变量的调度器。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="119"/>
        <source>Denoising steps per frame.</source>
        <translation>每帧的去噪步数。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="123"/>
        <source>Classifier-free guidance scale; 1 or less turns guidance off.</source>
        <translation>无分类器引导（CFG）强度；小于或等于 1 时关闭引导。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="126"/>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="128"/>
        <source>Locked: every Generate uses this seed. Unlocked: a new seed for every run.</source>
        <translation>锁定：每次生成都使用此种子。未锁定：每次运行使用新种子。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="130"/>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="131"/>
        <source>Pick a new seed now</source>
        <translation>立即选取新种子</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="138"/>
        <source>Image width in pixels (a multiple of 8); 0 uses the model&apos;s size.</source>
        <translation>图像宽度，单位为像素（8 的倍数）；0 表示使用模型的尺寸。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="139"/>
        <source>Image height in pixels (a multiple of 8); 0 uses the model&apos;s size.</source>
        <translation>图像高度，单位为像素（8 的倍数）；0 表示使用模型的尺寸。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="144"/>
        <source>Sampler:</source>
        <translation>采样器：</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="145"/>
        <source>Steps:</source>
        <translation>步数：</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="146"/>
        <source>Guidance:</source>
        <translation>引导强度：</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="147"/>
        <source>Seed:</source>
        <translation>种子：</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="148"/>
        <source>Size:</source>
        <translation>尺寸：</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="149"/>
        <source>Record attention</source>
        <translation>记录注意力</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="152"/>
        <source>Keep every cross-attention map for the inspector and plots (frames then render one at a time and use more memory).</source>
        <translation>保留所有交叉注意力图，供检查器和图表使用（此时各帧将逐个渲染，并占用更多内存）。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="154"/>
        <source>Live preview</source>
        <translation>实时预览</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="156"/>
        <source>Decode the predicted final image after every step (slower on large models).</source>
        <translation>每一步之后解码预测的最终图像（在大模型上较慢）。</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="176"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="179"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="181"/>
        <source>Render every frame of the story (Ctrl+Return)</source>
        <translation>渲染故事的所有帧（Ctrl+Return）</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="182"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="184"/>
        <source>Stop after the current step; finished frames are kept (Esc)</source>
        <translation>在当前步骤完成后停止；已完成的帧将保留（Esc）</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="198"/>
        <source>The predicted final image after the latest step</source>
        <translation>最新一步之后预测的最终图像</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="215"/>
        <source>Choose a checkpoint</source>
        <translation>选择检查点</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="216"/>
        <source>Checkpoints (*.safetensors);;All files (*)</source>
        <translation>检查点 (*.safetensors);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="296"/>
        <source>Loaded: %1 (%2, %3 on %4, %5 px)</source>
        <translation>已加载：%1（%2，%3，运行于 %4，%5 像素）</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="309"/>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="312"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="320"/>
        <source>frame %1/%2 · step %3/%4 · %5 it/s · ETA %6</source>
        <translation>帧 %1/%2 · 步骤 %3/%4 · %5 it/s · 剩余 %6</translation>
    </message>
    <message>
        <location filename="../ui/run_panel.cpp" line="333"/>
        <source>Predicted final image of frame %1 after step %2</source>
        <translation>第 %1 帧在第 %2 步之后预测的最终图像</translation>
    </message>
</context>
<context>
    <name>StoryPanel</name>
    <message>
        <location filename="../ui/story_panel.cpp" line="51"/>
        <source>Reference defaults</source>
        <translation>参考默认值</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="51"/>
        <source>Ablation: off</source>
        <translation>消融：全部关闭</translation>
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
        <translation>参考默认值即 1Prompt1Story 的设置；消融预设会开关 SVR 和 IPCA，以比较同一故事在使用与不使用各项技术时的效果。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="56"/>
        <source>Apply preset</source>
        <translation>应用预设</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="59"/>
        <source>Preset:</source>
        <translation>预设：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="88"/>
        <source>Story</source>
        <translation>故事</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="93"/>
        <source>who the story is about, e.g. a red fox</source>
        <translation>故事的主角，例如 a red fox（一只红狐狸）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="95"/>
        <source>The identity prompt P0: it starts every frame&apos;s prompt, so the subject stays the same.</source>
        <translation>身份提示词 P0：它位于每一帧提示词的开头，使主体保持一致。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="97"/>
        <source>Negative prompt, shared by every frame.</source>
        <translation>负面提示词，所有帧共用。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="98"/>
        <source>Identity:</source>
        <translation>身份：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="99"/>
        <source>Negative:</source>
        <translation>负面：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="108"/>
        <source>One prompt per frame. Double-click to edit, drag to reorder.</source>
        <translation>每帧一条提示词。双击可编辑，拖动可调整顺序。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="109"/>
        <source>Frames:</source>
        <translation>帧：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="120"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="120"/>
        <source>Add a frame after the selected one</source>
        <translation>在所选帧之后添加一帧</translation>
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
        <translation>移除所选帧</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="122"/>
        <source>Duplicate</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="122"/>
        <source>Duplicate the selected frame</source>
        <translation>复制所选帧</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="123"/>
        <source>Up</source>
        <translation>上移</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="123"/>
        <source>Move the selected frame up</source>
        <translation>将所选帧上移</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="124"/>
        <source>Down</source>
        <translation>下移</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="124"/>
        <source>Move the selected frame down</source>
        <translation>将所选帧下移</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="131"/>
        <source>Frame</source>
        <translation>帧</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="131"/>
        <source>Window</source>
        <translation>窗口</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="131"/>
        <source>Tokens</source>
        <translation>词元</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="133"/>
        <source>Each frame&apos;s prompt is the identity followed by the prompts of its window; the token count must fit every text encoder (75 tokens for CLIP).</source>
        <translation>每帧的提示词由身份提示词加上其窗口内各帧的提示词组成；词元数不得超出任一文本编码器的上限（CLIP 为 75 个词元）。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="154"/>
        <source>Concepts</source>
        <translation>概念</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="160"/>
        <source>Tokens learned from masked objects (Masks › Extract concepts). Double-click one to put it into the identity prompt.</source>
        <translation>从蒙版物体学到的词元（蒙版 › 提取概念）。双击一个词元可将其插入身份提示词。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="167"/>
        <source>Insert</source>
        <translation>插入</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="168"/>
        <source>Put the selected token into the identity prompt</source>
        <translation>将所选词元插入身份提示词</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="174"/>
        <source>Remove pack</source>
        <translation>移除概念包</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="175"/>
        <source>Unload the concept pack of the selected token (its files stay on disk)</source>
        <translation>卸载所选词元所属的概念包（其文件保留在磁盘上）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="193"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="197"/>
        <source>From the concept pack %1</source>
        <translation>来自概念包 %1</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="215"/>
        <source>Sliding window</source>
        <translation>滑动窗口</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="218"/>
        <source>Circular (reference code)</source>
        <translation>循环（参考代码）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="219"/>
        <source>Trailing (paper)</source>
        <translation>尾随（论文）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="221"/>
        <source>Which frame prompts join each frame&apos;s prompt. Circular: the frame and the next ones, wrapping around. Trailing: the frames ending at this one.</source>
        <translation>哪些帧的提示词会并入每一帧的提示词。循环：当前帧及其后续帧，到末尾后回绕到开头。尾随：以当前帧结尾的若干帧。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="226"/>
        <source>How many frame prompts each prompt holds. The run uses fewer when the prompts would not fit the text encoder.</source>
        <translation>每条提示词包含多少帧的提示词。若超出文本编码器的容量，运行时会使用更少的帧。</translation>
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
        <translation>奇异值重加权（SVR）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="239"/>
        <source>SVR</source>
        <translation>SVR</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="240"/>
        <source>SVR incl. end tokens</source>
        <translation>SVR（含结束词元）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="241"/>
        <source>Naive prompt reweighting (NPR)</source>
        <translation>朴素提示词重加权（NPR）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="242"/>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="244"/>
        <source>SVR strengthens the current frame&apos;s words and weakens the other frames&apos; words in the text embedding by rescaling singular values: s&apos; = beta * s * exp(-alpha * s).</source>
        <translation>SVR 通过重新缩放奇异值，在文本嵌入中增强当前帧的词、削弱其他帧的词：s&apos; = beta * s * exp(-alpha * s)。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="247"/>
        <source>alpha in s&apos; = beta * s * exp(-alpha * s): how strongly large singular values are damped (negative: boosted).</source>
        <translation>s&apos; = beta * s * exp(-alpha * s) 中的 alpha：较大奇异值被衰减的强度（为负时则被放大）。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="250"/>
        <source>beta in s&apos; = beta * s * exp(-alpha * s): overall scale of the singular values.</source>
        <translation>s&apos; = beta * s * exp(-alpha * s) 中的 beta：奇异值的整体缩放系数。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="251"/>
        <location filename="../ui/story_panel.cpp" line="252"/>
        <source>Express (current frame): </source>
        <translation>增强（当前帧）：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="253"/>
        <location filename="../ui/story_panel.cpp" line="254"/>
        <source>Suppress (other frames): </source>
        <translation>抑制（其他帧）：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="256"/>
        <source>Express α:</source>
        <translation>增强 α：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="257"/>
        <source>Express β:</source>
        <translation>增强 β：</translation>
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
        <translation>身份保持交叉注意力（IPCA）</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="269"/>
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="271"/>
        <source>Every cross-attention layer also attends to the identity prompt&apos;s keys and values, which keeps the subject consistent across frames.</source>
        <translation>每个交叉注意力层还会关注身份提示词的键和值，从而使主体在各帧之间保持一致。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="275"/>
        <source>Where IPCA acts, comma-separated: down, mid, up (whole parts of the UNet) or single blocks such as down1, up0.</source>
        <translation>IPCA 作用的位置，以逗号分隔：down、mid、up（UNet 的整个部分），或单个块，如 down1、up0。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="279"/>
        <source>The first denoising step with IPCA; earlier steps use plain cross-attention.</source>
        <translation>启用 IPCA 的第一个去噪步骤；之前的步骤使用普通交叉注意力。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="281"/>
        <source>Probability of dropping each identity key (seeded per frame), to loosen the identity&apos;s grip.</source>
        <translation>丢弃每个身份键的概率（每帧单独设定随机种子），用于减弱身份的约束。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="284"/>
        <source>Positions:</source>
        <translation>位置：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="285"/>
        <source>Start step:</source>
        <translation>起始步骤：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="286"/>
        <source>Dropout:</source>
        <translation>丢弃率：</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="423"/>
        <source>Load a model to see each frame&apos;s window and token count.</source>
        <translation>加载模型后即可查看每帧的窗口和词元数。</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="439"/>
        <source>This story cannot run as written: %1</source>
        <translation>此故事按当前写法无法运行：%1</translation>
    </message>
    <message>
        <location filename="../ui/story_panel.cpp" line="443"/>
        <source>Window: %1 of %2 frames per prompt</source>
        <translation>窗口：每条提示词 %1 帧（设定为 %2 帧）</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/gui_main.cpp" line="69"/>
        <source>Save a PNG of the main window and quit.</source>
        <translation>将主窗口保存为 PNG 后退出。</translation>
    </message>
    <message>
        <location filename="../app/gui_main.cpp" line="71"/>
        <source>Open this project folder.</source>
        <translation>打开此项目文件夹。</translation>
    </message>
    <message>
        <location filename="../app/gui_main.cpp" line="75"/>
        <source>Show this view first: story, frames, inspector, masks or plots.</source>
        <translation>首先显示此视图：story、frames、inspector、masks 或 plots。</translation>
    </message>
</context>
</TS>
