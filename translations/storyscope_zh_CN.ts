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
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../ui/main_window.cpp" line="31"/>
        <source>StoryScope</source>
        <translation>StoryScope</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="33"/>
        <source>Frames: generated frames and the selected frame with its heatmap overlay.</source>
        <translation>帧：生成的帧，以及叠加热力图的所选帧。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="39"/>
        <source>Story</source>
        <translation>故事</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="40"/>
        <source>Identity prompt, frame prompts, window, SVR and IPCA settings.</source>
        <translation>身份提示词、各帧提示词、窗口、SVR 与 IPCA 设置。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="41"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="42"/>
        <source>Model, sampler, steps, guidance, seed, size; Generate and Cancel.</source>
        <translation>模型、采样器、步数、引导强度、种子、尺寸；生成与取消。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="43"/>
        <source>Attention inspector</source>
        <translation>注意力检查器</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="44"/>
        <source>Per-token heatmaps for any step and layer.</source>
        <translation>任意步骤与层的逐词元热力图。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="45"/>
        <source>Masks</source>
        <translation>蒙版</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="46"/>
        <source>Paint masks per token and score attention alignment.</source>
        <translation>为每个词元绘制蒙版并评估注意力对齐程度。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="47"/>
        <source>Plots</source>
        <translation>图表</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="48"/>
        <source>Attention mass per token over steps, per-layer bars, alignment vs step.</source>
        <translation>各词元注意力质量随步骤变化、逐层柱状图、对齐度随步骤变化。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="49"/>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="53"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="54"/>
        <source>StoryScope started</source>
        <translation>StoryScope 已启动</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="68"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="69"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="72"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="75"/>
        <source>&amp;Reset layout</source>
        <translation>重置布局(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="78"/>
        <source>Layout reset</source>
        <translation>布局已重置</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="81"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="82"/>
        <source>&amp;About StoryScope</source>
        <translation>关于 StoryScope(&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="102"/>
        <source>About StoryScope</source>
        <translation>关于 StoryScope</translation>
    </message>
</context>
</TS>
