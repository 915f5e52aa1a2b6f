// Reads the gzip-compressed IDX files of MNIST-style datasets (Debian's dataset-fashion-mnist ships
// /usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz).
#pragma once

#include <string>

#include "image_cnn.h"
#include "vitrine/status.h"

namespace vitrine::image {

// Reads `<dir>/<split>-images-idx3-ubyte.gz` and `<dir>/<split>-labels-idx1-ubyte.gz` (split "train" or
// "t10k"). Errors name the file and what is wrong with it (missing, not gzip, wrong magic, sizes that
// disagree).
Result<ImageSet> read_idx_split(const std::string& dir, const std::string& split);

}  // namespace vitrine::image
