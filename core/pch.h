// Precompiled for every engine target: LibTorch's nn front end is the heavy part.
#pragma once
#include <ATen/ATen.h>
#include <torch/nn.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <map>
#include <memory>
#include <functional>
#include <stdexcept>
