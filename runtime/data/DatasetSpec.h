// The dataset spec the loaders read: the resolved dataset block
// (compiler/resolve/Spec.h): absolute paths, fractions, sizes, defaults
// filled in.
#pragma once

#include "compiler/resolve/Spec.h"
#include "compiler/support/Diagnostics.h"

namespace edl::data {

using DatasetSpec = spec::Dataset;
using spec::SourceKind;

// For decoding outside a dataset (a served image): the catalogue's
// image.max_pixels default (ResolveTest holds them equal).
inline constexpr std::uint64_t kDefaultMaxPixels = 100'000'000;

// E0807 at the path in the dataset's source when its folder is missing,
// with a did-you-mean among the folders beside it: the cause of a failed
// load, said first and where it was written. False when the folder exists,
// and for a csv file (its loader reports E0815).
bool report_missing_folder(const DatasetSpec &spec, DiagnosticEngine &diags);

}  // namespace edl::data
