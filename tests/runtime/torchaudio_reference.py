"""Reference log-mel spectrograms for LogMelTest, from torchaudio.

Usage: torchaudio_reference.py CLIPS OUT SAMPLE_RATE SAMPLES N_FFT HOP N_MELS [N_MFCC]
CLIPS holds float32 clips of SAMPLES each (raw, native order); OUT gets
log(MelSpectrogram(x) + 1e-6) as float32, clip x mel x frame, followed by
torchaudio's filterbank (bins x mels). With N_MFCC, OUT gets instead
MFCC(x, log_mels=True) as float32, clip x coefficient x frame.
"""
import sys

import numpy as np
import torch
import torchaudio

clips_path, out_path = sys.argv[1], sys.argv[2]
rate, samples, n_fft, hop, n_mels = (int(v) for v in sys.argv[3:8])
clips = torch.from_numpy(np.fromfile(clips_path, dtype=np.float32).reshape(-1, samples))
mel = torchaudio.transforms.MelSpectrogram(sample_rate=rate, n_fft=n_fft, hop_length=hop, n_mels=n_mels)
features = torch.log(mel(clips) + 1e-6)
fbanks = torchaudio.functional.melscale_fbanks(n_fft // 2 + 1, 0.0, rate / 2.0, n_mels, rate)
if len(sys.argv) > 8:
    mfcc = torchaudio.transforms.MFCC(sample_rate=rate, n_mfcc=int(sys.argv[8]), log_mels=True,
                                      melkwargs={"n_fft": n_fft, "hop_length": hop, "n_mels": n_mels})
    mfcc(clips).numpy().astype(np.float32).tofile(out_path)
    sys.exit(0)
with open(out_path, "wb") as out:
    out.write(features.numpy().astype(np.float32).tobytes())
    out.write(fbanks.numpy().astype(np.float32).tobytes())
