// Dataset loading on real files: slices of scikit-learn's digits (from
// scripts/fetch-data.sh), deliberately corrupted copies, generated audio and
// CSV text; the split; the decode cache; the dataset block's resolution.
#include "TestSupport.h"

#include "runtime/data/Dataset.h"

#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sndfile.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

using namespace edl;
using namespace edl::data;
namespace fs = std::filesystem;

namespace {

std::string digits_dir() { return test::fetched_data("digits"); }

using test::TempDir;

// `per_class` real digits of each listed class, copied into `dir`.
void copy_digits(const fs::path &dir, const std::vector<std::string> &classes, int per_class) {
  for (const std::string &c : classes) {
    fs::create_directories(dir / c);
    std::vector<fs::path> files;
    for (const auto &e : fs::directory_iterator(fs::path(digits_dir()) / c)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (int i = 0; i < per_class; ++i) fs::copy_file(files[static_cast<std::size_t>(i)], dir / c / files[static_cast<std::size_t>(i)].filename());
  }
}

DatasetSpec image_spec(const fs::path &dir, int size, int channels) {
  DatasetSpec s;
  s.name = "t";
  s.path = dir.string();
  s.width = s.height = size;
  s.channels = channels;
  s.seed = 42;
  s.cache_dir = (dir / ".cache").string();
  return s;
}

std::vector<std::uint8_t> bytes_of(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const fs::path &p, const std::vector<std::uint8_t> &b) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char *>(b.data()), static_cast<std::streamsize>(b.size()));
}

// A data error's catalogue code, as diagnostics print it.
std::string code(const DataError &e) { return std::string("[") + diagnostic_info(e.id).code + "]"; }

bool skipped_with(const LoadedDataset &d, const std::string &file, const std::string &reason) {
  for (const Skipped &s : d.report.skipped)
    if (s.source.find(file) != std::string::npos && s.reason.find(reason) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("image_folder decodes real digits, resized like OpenCV does", "[data]") {
  TempDir t;
  copy_digits(t.path, {"0", "1", "2"}, 10);
  LoadedDataset d = load_dataset(image_spec(t.path, 16, 1));
  REQUIRE(d.report.ok());
  CHECK(d.classes == std::vector<std::string>{"0", "1", "2"});
  CHECK(d.size() == 30);
  CHECK(d.pixels.size() == 30u * 16 * 16);
  CHECK(std::count(d.labels.begin(), d.labels.end(), 1) == 10);
  // The first sample equals OpenCV's own decode and bilinear enlargement.
  cv::Mat ref = cv::imread(d.sources[0], cv::IMREAD_GRAYSCALE);
  cv::resize(ref, ref, cv::Size(16, 16), 0, 0, cv::INTER_LINEAR);
  CHECK(std::equal(ref.data, ref.data + 256, d.pixels.begin()));
  // Not all black: real digits.
  CHECK(*std::max_element(d.pixels.begin(), d.pixels.begin() + 256) > 100);
}

TEST_CASE("image_folder converts channels: gray to RGB", "[data]") {
  TempDir t;
  copy_digits(t.path, {"3"}, 2);
  copy_digits(t.path, {"4"}, 2);
  LoadedDataset d = load_dataset(image_spec(t.path, 8, 3));
  REQUIRE(d.report.ok());
  CHECK(d.channels == 3);
  CHECK(d.pixels.size() == 4u * 8 * 8 * 3);
  for (std::size_t i = 0; i < 64; ++i) {  // gray copied to R, G and B
    CHECK(d.pixels[i * 3] == d.pixels[i * 3 + 1]);
    CHECK(d.pixels[i * 3] == d.pixels[i * 3 + 2]);
  }
}

TEST_CASE("corrupt, truncated and unreadable images are skipped with a reason", "[data]") {
  TempDir t;
  copy_digits(t.path, {"5", "6"}, 5);
  fs::path cls = t.path / "5";
  std::vector<std::uint8_t> png = bytes_of(*fs::directory_iterator(cls));
  write_bytes(cls / "half.png", std::vector<std::uint8_t>(png.begin(), png.begin() + static_cast<long>(png.size() / 2)));
  write_bytes(cls / "garbage.png", std::vector<std::uint8_t>(300, 0x5A));
  write_bytes(cls / "empty.jpg", {});
  cv::Mat img = cv::imread((*fs::directory_iterator(t.path / "6")).path().string(), cv::IMREAD_GRAYSCALE);
  cv::resize(img, img, cv::Size(64, 64));
  std::vector<std::uint8_t> jpg;
  cv::imencode(".jpg", img, jpg);
  write_bytes(cls / "cut.jpg", std::vector<std::uint8_t>(jpg.begin(), jpg.begin() + static_cast<long>(jpg.size() * 2 / 3)));
  write_bytes(cls / "notes.txt", {'h', 'i'});

  LoadedDataset d = load_dataset(image_spec(t.path, 8, 1));
  REQUIRE(d.report.ok());
  CHECK(d.size() == 10);  // the real ones
  CHECK(d.report.skipped.size() == 4);
  CHECK(skipped_with(d, "half.png", "truncated PNG"));
  CHECK(skipped_with(d, "garbage.png", "cannot decode"));
  CHECK(skipped_with(d, "empty.jpg", "empty file"));
  CHECK(skipped_with(d, "cut.jpg", "truncated JPEG"));
  CHECK(d.report.ignored >= 1);  // notes.txt is not a sample

  DatasetSpec strict = image_spec(t.path, 8, 1);
  strict.fail_on_error = true;
  LoadedDataset f = load_dataset(strict, {false});
  REQUIRE(f.report.errors.size() == 1);
  CHECK(code(f.report.errors[0]) == "[E0810]");
  CHECK(f.report.errors[0].message().find("5/cut.jpg' cannot be used: truncated JPEG") != std::string::npos);
  CHECK(f.report.errors[0].message().find("on_error = fail") != std::string::npos);
}

TEST_CASE("link loops and dangling links are skipped with their reason, at any level", "[data]") {
  TempDir t;
  copy_digits(t.path, {"1", "2"}, 3);
  fs::create_symlink("loop", t.path / "loop");                  // a class folder that is a loop
  fs::create_symlink("nowhere", t.path / "gone");               // a class folder that leads nowhere
  fs::create_symlink("self.png", t.path / "1" / "self.png");    // a sample that is a loop
  fs::create_symlink("missing.png", t.path / "2" / "lost.png");  // a sample that leads nowhere
  LoadedDataset d = load_dataset(image_spec(t.path, 8, 1), {false});
  REQUIRE(d.report.ok());
  CHECK(d.size() == 6);
  CHECK(d.classes == std::vector<std::string>{"1", "2"});
  CHECK(skipped_with(d, "loop", "symbolic link loop"));
  CHECK(skipped_with(d, "gone", "dangling symbolic link"));
  CHECK(skipped_with(d, "self.png", "symbolic link loop"));
  CHECK(skipped_with(d, "lost.png", "dangling symbolic link"));
}

TEST_CASE("an image whose header declares too many pixels is refused before decoding", "[data]") {
  TempDir t;
  copy_digits(t.path, {"3", "4"}, 3);
  // A real PNG whose IHDR says 32000x32000 (1.02 gigapixels): what a
  // decompression bomb declares. The header alone decides.
  std::vector<std::uint8_t> png = bytes_of(*fs::directory_iterator(t.path / "3"));
  REQUIRE(png.size() > 24);
  for (int at : {16, 20}) {
    png[at] = 0, png[at + 1] = 0, png[at + 2] = 0x7D, png[at + 3] = 0x00;  // 32000, big-endian
  }
  write_bytes(t.path / "3" / "bomb.png", png);
  LoadedDataset d = load_dataset(image_spec(t.path, 8, 1), {false});
  REQUIRE(d.report.ok());
  CHECK(d.size() == 6);
  CHECK(skipped_with(d, "bomb.png", "32000x32000 is 1024000000 pixels, more than image.max_pixels (100000000)"));
  // The limit is the dataset's: a tighter one refuses the 8x8 digits too.
  DatasetSpec tight = image_spec(t.path, 8, 1);
  tight.max_pixels = 63;
  LoadedDataset none = load_dataset(tight, {false});
  REQUIRE(none.report.errors.size() == 1);
  CHECK(code(none.report.errors[0]) == "[E0819]");
  REQUIRE(none.report.errors[0].notes.size() == 1);
  CHECK(none.report.errors[0].notes[0].second ==
        std::vector<std::string>{"7", "6", "8x8 is 64 pixels, more than image.max_pixels (63); not decoded"});
  // predict and serve decode with the same guard.
  std::vector<std::uint8_t> pixels;
  CHECK(decode_image(png, 1, 8, 8, pixels).find("more than image.max_pixels") != std::string::npos);
  CHECK(pixels.empty());
}

TEST_CASE("class folders: empty, missing, undeclared and single-sample classes", "[data]") {
  TempDir t;
  copy_digits(t.path, {"0", "1"}, 3);
  fs::create_directories(t.path / "2");
  LoadedDataset empty = load_dataset(image_spec(t.path, 8, 1));
  REQUIRE(empty.report.errors.size() == 1);
  CHECK(code(empty.report.errors[0]) == "[E0814]");
  CHECK(empty.report.errors[0].args.at(0) == "2");
  CHECK(empty.report.errors[0].message().find("has no images") != std::string::npos);

  fs::remove_all(t.path / "2");
  DatasetSpec declared = image_spec(t.path, 8, 1);
  declared.classes = {"1", "0", "7"};
  LoadedDataset missing = load_dataset(declared);
  REQUIRE(missing.report.errors.size() == 1);
  CHECK(code(missing.report.errors[0]) == "[E0812]");
  CHECK(missing.report.errors[0].message().find("declared class '7' has no folder") != std::string::npos);

  declared.classes = {"1"};
  LoadedDataset extra = load_dataset(declared);
  REQUIRE(extra.report.errors.size() == 1);
  CHECK(code(extra.report.errors[0]) == "[E0811]");
  CHECK(extra.report.errors[0].args.at(0) == "0");

  declared.classes = {"1", "0"};
  LoadedDataset ordered = load_dataset(declared);
  REQUIRE(ordered.report.ok());
  CHECK(ordered.classes == std::vector<std::string>{"1", "0"});  // declared order is label order
  CHECK(ordered.sources[ordered.labels[0] == 0 ? 0 : 0].find("/1/") != std::string::npos);

  TempDir single;
  copy_digits(single.path, {"3"}, 4);
  copy_digits(single.path, {"4"}, 1);
  LoadedDataset one = load_dataset(image_spec(single.path, 8, 1));
  REQUIRE(one.report.ok());
  REQUIRE(!one.report.warnings.empty());
  CHECK(one.report.warnings[0].find("class '4' has a single sample") != std::string::npos);

  DatasetSpec nowhere = image_spec(t.path / "nope", 8, 1);
  CHECK(code(load_dataset(nowhere).report.errors.at(0)) == "[E0807]");

  TempDir bare;
  LoadedDataset no_classes = load_dataset(image_spec(bare.path, 8, 1));
  REQUIRE(no_classes.report.errors.size() == 1);
  CHECK(code(no_classes.report.errors[0]) == "[E0813]");
  CHECK(no_classes.report.errors[0].message().find("put the images of each class") != std::string::npos);
}

TEST_CASE("the decode cache serves unchanged files and decodes changed ones", "[data]") {
  TempDir t;
  copy_digits(t.path, {"7", "8"}, 6);
  DatasetSpec spec = image_spec(t.path, 12, 1);
  LoadedDataset first = load_dataset(spec);
  CHECK(first.report.decoded == 12);
  CHECK(first.report.from_cache == 0);
  LoadedDataset second = load_dataset(spec);
  CHECK(second.report.decoded == 0);
  CHECK(second.report.from_cache == 12);
  CHECK(second.pixels == first.pixels);  // bit-identical

  // Give one file new content (a digit from outside the slice): only it is
  // decoded again. The cache is by content, not by name.
  fs::path victim = *fs::directory_iterator(t.path / "8");
  fs::path fresh = *fs::directory_iterator(fs::path(digits_dir()) / "9");
  fs::copy_file(fresh, victim, fs::copy_options::overwrite_existing);
  LoadedDataset third = load_dataset(spec);
  CHECK(third.report.decoded == 1);
  CHECK(third.report.from_cache == 11);

  // Another size is another cache.
  spec.width = spec.height = 10;
  CHECK(load_dataset(spec).report.decoded == 12);
}

TEST_CASE("several loaders writing one decode cache at once all succeed", "[data]") {
  TempDir t;
  copy_digits(t.path, {"7", "8"}, 20);
  DatasetSpec spec = image_spec(t.path, 12, 1);
  // Eight loads at once, each writing the cache: before, they shared one
  // temporary file and most warned "cannot write the decode cache".
  std::vector<LoadedDataset> loads(8);
  std::vector<std::thread> threads;
  for (LoadedDataset &l : loads) threads.emplace_back([&] { l = load_dataset(spec); });
  for (std::thread &th : threads) th.join();
  for (const LoadedDataset &l : loads) {
    CHECK(l.report.warnings.empty());
    CHECK(l.pixels == loads[0].pixels);
  }
  LoadedDataset after = load_dataset(spec);
  CHECK(after.report.from_cache == 40);  // one whole cache survived
  std::size_t leftovers = 0;
  for (const auto &e : fs::recursive_directory_iterator(spec.cache_dir))
    leftovers += e.path().string().find(".tmp") != std::string::npos;
  CHECK(leftovers == 0);
}

TEST_CASE("splits are deterministic per seed, stratified, and cover every sample once", "[data]") {
  std::vector<int> labels;
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 40; ++i) labels.push_back(c);
  DatasetSpec spec;
  spec.train = 0.7;
  spec.val = 0.2;
  spec.test = 0.1;
  spec.seed = 1;
  DataReport report;
  std::vector<std::string> names{"a", "b", "c"};
  Split a = split_samples(labels, 3, spec, report, names);
  Split b = split_samples(labels, 3, spec, report, names);
  CHECK(a.train == b.train);
  CHECK(a.val == b.val);
  CHECK(a.train.size() == 84);
  CHECK(a.val.size() == 24);
  CHECK(a.test.size() == 12);
  for (int c = 0; c < 3; ++c)
    CHECK(std::count_if(a.val.begin(), a.val.end(), [&](std::size_t i) { return labels[i] == c; }) == 8);
  std::vector<std::size_t> all = a.train;
  all.insert(all.end(), a.val.begin(), a.val.end());
  all.insert(all.end(), a.test.begin(), a.test.end());
  std::sort(all.begin(), all.end());
  CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
  CHECK(all.size() == labels.size());

  spec.seed = 2;
  CHECK(split_samples(labels, 3, spec, report, names).val != a.val);

  spec.stratify = false;
  Split loose = split_samples(labels, 3, spec, report, names);
  CHECK(loose.val.size() == 24);
  CHECK(report.warnings.empty());

  // A class too small to stratify over three splits.
  std::vector<int> tiny{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
  spec.stratify = true;
  DataReport small;
  split_samples(tiny, 2, spec, small, {"big", "small"});
  REQUIRE(small.warnings.size() == 1);
  CHECK(small.warnings[0].find("class 'small' has 2 sample(s), too few to stratify") != std::string::npos);
}

TEST_CASE("split.group keeps each group's samples in one split, by the shares in samples", "[data]") {
  // 40 speakers of 12 clips each, named as make_words.py names them.
  std::vector<int> labels;
  std::vector<std::string> sources;
  for (int speaker = 0; speaker < 40; ++speaker)
    for (int take = 0; take < 12; ++take) {
      labels.push_back(take % 3);
      sources.push_back("/data/words/w" + std::to_string(take % 3) + "/en-us+m" + std::to_string(speaker) + "__" +
                        std::to_string(take) + ".wav");
    }
  DatasetSpec spec;
  spec.train = 0.7;
  spec.val = 0.15;
  spec.test = 0.15;
  spec.seed = 4;
  spec.split_group = "(.+)__";
  DataReport report;
  const std::vector<std::string> names{"a", "b", "c"};
  const Split s = split_samples(labels, 3, spec, report, names, sources);
  auto speakers = [&](const std::vector<std::size_t> &part) {
    std::set<std::string> out;
    for (std::size_t i : part) out.insert(sources[i].substr(sources[i].rfind('/') + 1, sources[i].find("__") - sources[i].rfind('/') - 1));
    return out;
  };
  const auto train = speakers(s.train), val = speakers(s.val), test = speakers(s.test);
  CHECK(train.size() + val.size() + test.size() == 40);  // no speaker in two splits
  CHECK(s.train.size() + s.val.size() + s.test.size() == labels.size());
  // 15% of 480 is 72: six whole speakers each.
  CHECK(s.val.size() == 72);
  CHECK(s.test.size() == 72);
  CHECK(split_samples(labels, 3, spec, report, names, sources).test == s.test);  // seeded
  spec.seed = 5;
  CHECK(split_samples(labels, 3, spec, report, names, sources).test != s.test);
  CHECK(report.warnings.empty());
  // A pattern that matches nothing: every file is its own group.
  spec.split_group = "^nothing$";
  CHECK(split_samples(labels, 3, spec, report, names, sources).test.size() == 72);
  // One group only: nothing can be held out, and the report says so.
  spec.split_group = "en-us";
  DataReport one;
  const Split all = split_samples(labels, 3, spec, one, names, sources);
  CHECK(all.train.size() == labels.size());
  REQUIRE(one.warnings.size() == 1);
  CHECK(one.warnings[0].find("split.group finds 1 group(s)") != std::string::npos);
}

TEST_CASE("csv reads quoted fields and skips broken rows with their row number", "[data]") {
  TempDir t;
  std::ofstream(t.path / "mail.csv") << "id,body,class\r\n"
                                        "1,\"Win a prize, now!\",spam\r\n"
                                        "2,\"Lunch at \"\"the\"\" usual place?\nSee you\",ham\r\n"
                                        "3,Meeting moved,ham\n"
                                        "4,missing label,\n"
                                        "5,too,many,fields\n"
                                        "\n"
                                        "6,Cheap pills,spam\n";
  DatasetSpec spec;
  spec.name = "mail";
  spec.source = SourceKind::Csv;
  spec.path = (t.path / "mail.csv").string();
  spec.text_column = "body";
  spec.label_column = "class";
  LoadedDataset d = load_dataset(spec);
  REQUIRE(d.report.ok());
  CHECK(d.classes == std::vector<std::string>{"ham", "spam"});
  REQUIRE(d.texts.size() == 4);
  CHECK(d.texts[0] == "Win a prize, now!");
  CHECK(d.texts[1] == "Lunch at \"the\" usual place?\nSee you");
  CHECK(d.labels == std::vector<int>{1, 0, 0, 1});
  CHECK(skipped_with(d, "mail.csv:5", "empty 'class'"));
  CHECK(skipped_with(d, "mail.csv:6", "row has 4 field(s), the header 3"));

  spec.label_column = "label";
  LoadedDataset wrong = load_dataset(spec);
  REQUIRE(!wrong.report.ok());
  CHECK(code(wrong.report.errors[0]) == "[E0817]");
  CHECK(wrong.report.errors[0].message().find("has no column 'label'; its columns: id, body, class") !=
        std::string::npos);

  spec.label_column = "class";
  spec.classes = {"spam", "ham", "phish"};
  LoadedDataset unseen = load_dataset(spec);
  REQUIRE(unseen.report.errors.size() == 1);
  CHECK(code(unseen.report.errors[0]) == "[E0818]");
  CHECK(unseen.report.errors[0].args.at(0) == "phish");

  spec.classes.clear();
  std::ofstream(t.path / "empty.csv").flush();
  spec.path = (t.path / "empty.csv").string();
  CHECK(code(load_dataset(spec).report.errors.at(0)) == "[E0816]");
  std::ofstream(t.path / "header.csv") << "id,body,class\n4,missing label,\n";
  spec.path = (t.path / "header.csv").string();
  CHECK(code(load_dataset(spec).report.errors.at(0)) == "[E0819]");
  spec.path = t.path.string();  // a folder is no CSV file
  CHECK(code(load_dataset(spec).report.errors.at(0)) == "[E0815]");
}

TEST_CASE("audio_folder mixes down, resamples and pads, broken and overlong clips are skipped", "[data]") {
  TempDir t;
  // 0.5 s of a 440 Hz tone at 8 kHz, stereo WAV and mono FLAC.
  auto write_tone = [&](const fs::path &p, int format, int channels) {
    SF_INFO info{};
    info.samplerate = 8000;
    info.channels = channels;
    info.format = format;
    SNDFILE *f = sf_open(p.string().c_str(), SFM_WRITE, &info);
    REQUIRE(f);
    std::vector<float> frames(4000 * static_cast<std::size_t>(channels));
    for (std::size_t i = 0; i < 4000; ++i)
      for (int c = 0; c < channels; ++c)
        frames[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)] =
            0.5f * static_cast<float>(std::sin(2 * M_PI * 440 * static_cast<double>(i) / 8000));
    sf_writef_float(f, frames.data(), 4000);
    sf_close(f);
  };
  fs::create_directories(t.path / "a");
  fs::create_directories(t.path / "b");
  write_tone(t.path / "a" / "tone.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2);
  write_tone(t.path / "b" / "tone.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 1);
  std::vector<std::uint8_t> wav = bytes_of(t.path / "a" / "tone.wav");
  write_bytes(t.path / "a" / "broken.wav", std::vector<std::uint8_t>(wav.begin(), wav.begin() + 30));
  {
    // Eleven minutes of silence at 1 kHz: longer than any clip is decoded.
    SF_INFO info{};
    info.samplerate = 1000;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE *f = sf_open((t.path / "b" / "long.wav").string().c_str(), SFM_WRITE, &info);
    REQUIRE(f);
    const std::vector<float> silence(660000, 0.0f);
    sf_writef_float(f, silence.data(), static_cast<sf_count_t>(silence.size()));
    sf_close(f);
  }

  DatasetSpec spec;
  spec.name = "tones";
  spec.source = SourceKind::AudioFolder;
  spec.path = t.path.string();
  spec.sample_rate = 16000;
  spec.duration = 1.0;
  spec.cache_dir = (t.path / ".cache").string();
  LoadedDataset d = load_dataset(spec);
  REQUIRE(d.report.ok());
  REQUIRE(d.size() == 2);
  CHECK(d.samples_per_clip == 16000);
  CHECK(skipped_with(d, "broken.wav", "cannot decode audio"));
  CHECK(skipped_with(d, "long.wav", "longer than 10 minutes"));
  // Upsampled to 16 kHz: 8000 samples of tone, then silence.
  const float *clip = d.audio.data();
  int crossings = 0;
  for (int i = 1000; i < 7000; ++i) crossings += (clip[i - 1] < 0) != (clip[i] < 0);
  CHECK(crossings == Approx(2 * 440 * 6000 / 16000.0).margin(3));  // still 440 Hz
  CHECK(std::fabs(clip[12000]) < 1e-4f);
  float peak = 0;
  for (int i = 0; i < 8000; ++i) peak = std::max(peak, std::fabs(clip[i]));
  CHECK(peak == Approx(0.5).margin(0.03));
  CHECK(load_dataset(spec).report.from_cache == 2);
}

TEST_CASE("a dataset block resolves to paths, split, sizes and the project's seed", "[data]") {
  TempDir t;
  std::string root = (t.path / "p.edl").string();
  std::ofstream(root) << "project \"p\" { seed = 9; store = \"runs/p.db\" }\n"
                         "dataset d {\n  source = image_folder(\"imgs\")\n  split = { train = 60%, val = 30%, test = 10% }\n"
                         "  stratify = false\n  image = { size = 24x20, channels = 1 }\n  classes = [\"b\", \"a\"]\n"
                         "  on_error = fail\n}\n"
                         "model m { backbone = mlp(hidden = 4) }\n"
                         "train t { data = d; model = m; optimizer = sgd(lr = 0.1); epochs = 1 }\n";
  auto c = test::check_file(root);
  REQUIRE(c->specs.dataset("d"));
  DatasetSpec s = *c->specs.dataset("d");
  CHECK(s.path == (t.path / "imgs").string());
  CHECK(s.train == Approx(0.6));
  CHECK(s.val == Approx(0.3));
  CHECK(s.test == Approx(0.1));
  CHECK_FALSE(s.stratify);
  CHECK(s.width == 24);
  CHECK(s.height == 20);
  CHECK(s.channels == 1);
  CHECK(s.classes == std::vector<std::string>{"b", "a"});
  CHECK(s.fail_on_error);
  CHECK(s.seed == 9);
  CHECK(s.cache_dir == (t.path / "runs" / "cache").string());
}
