// storyscope-cli tokenize --tokenizer DIR [--] TEXT...: one JSON list of ids per text and line,
// untruncated (bos + tokens + eos), to compare against transformers' CLIPTokenizer by hand.
#include <iostream>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/common/error.h"
#include "core/text/clip_tokenizer.h"

int cmd_tokenize(int argc, char** argv) {
  using namespace storyscope;
  try {
    const cli::Args args(argc, argv, {"tokenizer"}, {});
    const std::string dir = args.require("tokenizer");
    if (args.positional().empty()) throw_bad_input("", "TEXT", "give at least one text to tokenize");
    const ClipTokenizer tokenizer = ClipTokenizer::from_folder(dir);
    for (const std::string& text : args.positional()) {
      const Encoding enc = tokenizer.encode(text);
      std::cout << '[';
      for (std::size_t i = 0; i < enc.ids.size(); ++i) std::cout << (i ? ", " : "") << enc.ids[i];
      std::cout << "]\n";
    }
    std::cout.flush();
    return 0;
  } catch (const Error& e) {
    std::cerr << "storyscope-cli tokenize: " << e.what() << "\n";
    return exit_code_for(e.kind());
  }
}

STORYSCOPE_CLI_COMMAND("tokenize", cmd_tokenize, "print CLIP token ids of texts (--tokenizer DIR)");
