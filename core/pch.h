// Precompiled for every engine target: LibTorch's nn front end is the heavy part.
#pragma once
#include <ATen/ATen.h>
#include <torch/nn.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>
