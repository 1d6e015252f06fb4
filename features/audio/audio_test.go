package audio

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hark-audio/hark/internal/testshared"
)

// TestMonoMatchesNumpy: Mono rounds like librosa.to_mono, i.e. numpy.mean over the channel
// axis of soundfile's (frames, channels) array seen transposed. The checksums (sums of the
// float32 bit patterns of the 257 means) were computed with numpy 1.24.2 for the same input:
//
//	x = (((arange(257*C)*7919) % 2003) - 1001).astype(float32) / float32(1013)
//	mean(x.reshape(257, C).T, axis=0).view(uint32).astype(uint64).sum()
//
// They cover the plain loop (C < 8), the 8 accumulators (8..128) and the recursive split.
func TestMonoMatchesNumpy(t *testing.T) {
	want := map[int]uint64{2: 547005932102, 3: 542888229716, 7: 537829244504, 8: 554668728899,
		9: 541670048673, 16: 549813289724, 17: 553341925132, 130: 534281371544, 300: 527380943200}
	for ch, sum := range want {
		const frames = 257
		c := &Clip{Info: Info{Channels: ch, Frames: frames}, Data: make([]float32, frames*ch)}
		for i := range c.Data {
			c.Data[i] = float32((i*7919)%2003-1001) / 1013
		}
		var got uint64
		for _, v := range c.Mono(nil) {
			got += uint64(math.Float32bits(v))
		}
		if got != sum {
			t.Errorf("%d channels: checksum %d, numpy %d", ch, got, sum)
		}
	}
}

func TestMonoReusesDst(t *testing.T) {
	c := &Clip{Info: Info{Channels: 2, Frames: 3}, Data: []float32{1, 0, 0.5, 0.5, -1, 1}}
	dst := make([]float32, 10)
	got := c.Mono(dst)
	if &got[0] != &dst[0] || len(got) != 3 || got[0] != 0.5 || got[1] != 0.5 || got[2] != 0 {
		t.Errorf("Mono(dst) = %v (reused: %v)", got, &got[0] == &dst[0])
	}
	mono := &Clip{Info: Info{Channels: 1, Frames: 2}, Data: []float32{0.25, -0.5}}
	if got := mono.Mono(nil); len(got) != 2 || got[0] != 0.25 || got[1] != -0.5 {
		t.Errorf("mono clip: %v", got)
	}
}

func TestDuration(t *testing.T) {
	for _, c := range []struct {
		info Info
		want time.Duration
	}{
		{Info{SampleRate: 22050, Frames: 661500}, 30 * time.Second},
		{Info{SampleRate: 8000, Frames: 3691}, 461375 * time.Microsecond},
		{Info{SampleRate: 44100, Frames: -1}, 0},
		{Info{SampleRate: 0, Frames: 100}, 0},
	} {
		if got := c.info.Duration(); got != c.want {
			t.Errorf("%+v: %v, want %v", c.info, got, c.want)
		}
	}
}

// TestLoadMono: LoadMono averages the channels and resamples only when asked to.
func TestLoadMono(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.wav")
	data := []byte{0, 0x40, 0, 0xc0, 0, 0x20, 0, 0x20} // (0.5, -0.5), (0.25, 0.25)
	if err := os.WriteFile(p, riffWAV(0, chunk{id: "fmt ", body: fmtBody(wavTagPCM, 2, 16000, 16, false, 0)}, chunk{id: "data", body: data}), 0o644); err != nil {
		t.Fatal(err)
	}
	y, sr, err := LoadMono(p, 0)
	if err != nil || sr != 16000 || len(y) != 2 || y[0] != 0 || y[1] != 0.25 {
		t.Errorf("LoadMono(sr=0) = %v, %d, %v", y, sr, err)
	}
	y, sr, err = LoadMono(p, 8000)
	if err != nil || sr != 8000 || len(y) != 1 {
		t.Errorf("LoadMono(sr=8000) = %v, %d, %v", y, sr, err)
	}
	if _, _, err := LoadMono(p, 1); err == nil {
		t.Error("LoadMono to 1 Hz succeeded")
	}
	if _, _, err := LoadMono(filepath.Join(t.TempDir(), "none.wav"), 0); err == nil {
		t.Error("LoadMono of a missing file succeeded")
	}
}

func ExampleClip_Mono() {
	// Two frames of a stereo clip: (0.5, -0.5) and (0.25, 0.75).
	c := &Clip{Info: Info{SampleRate: 8000, Channels: 2, Frames: 2}, Data: []float32{0.5, -0.5, 0.25, 0.75}}
	fmt.Println(c.Mono(nil))
	// Output: [0 0.5]
}

func ExampleResample() {
	// One second of a 440 Hz tone at 44.1 kHz, halved to 22.05 kHz: the length is
	// ceil(n*to/from) and the tone keeps its level.
	const from, to = 44100, 22050
	y := make([]float32, from)
	for i := range y {
		y[i] = float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/from))
	}
	z := Resample(nil, y, from, to)
	peak := float32(0)
	for _, v := range z[to/4 : 3*to/4] {
		peak = max(peak, v)
	}
	fmt.Printf("%d samples, peak %.4f\n", len(z), peak)
	// Output: 22050 samples, peak 0.5000
}

// fuzzSeeds are small valid and broken files of every format the package decodes, so the
// fuzz target explores all decoders even where ../shared is absent.
func fuzzSeeds() [][]byte {
	pcm := chunk{id: "fmt ", body: fmtBody(wavTagPCM, 2, 8000, 16, false, 0)}
	data := chunk{id: "data", body: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}}
	return [][]byte{
		riffWAV(0, pcm, data),
		riffWAV(0, chunk{id: "LIST", body: []byte("INFOabcd\x01\x00\x00\x00x"), pad: true}, pcm, data),
		riffWAV(0, chunk{id: "fmt ", body: fmtBody(wavTagExtensible, 1, 8000, 24, true, wavTagPCM)}, data),
		riffWAV(0, chunk{id: "fmt ", body: fmtBody(wavTagFloat, 1, 8000, 64, false, 0)}, data),
		riffWAV(0, chunk{id: "fmt ", body: fmtBody(wavTagULaw, 1, 8000, 8, false, 0)}, data),
		riffWAV(0xffffffff, pcm, chunk{id: "data", body: data.body, size: 1 << 31, setSize: true}),
		auFile(".snd", 3, 8000, 1, data.body, auUnknownSize),
		auFile("dns.", 27, 8000, 2, data.body, 4),
		[]byte("fLaC\x00\x00\x00\x22\x10\x00\x10\x00"),
		[]byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00"),
		[]byte("ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x64\x00"),
		{0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0},
		{0xff, 0xf3, 0x64, 0xc4, 0, 0, 0, 0},
	}
}

// fuzzSeedBytes caps the zoo files used as seeds: their headers are what matters, and small
// inputs keep executions (and the fuzzer's minimisation of interesting inputs) fast.
const fuzzSeedBytes = 2048

// FuzzDecode: no input may panic the decoder or make it allocate beyond what the input can
// hold; what decodes must be self-consistent. Seeded from the wav-zoo (the first 2 KiB of each
// file, which a decoder reads as a truncated file) when ../shared is present.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	if dir, ok := sharedDir(f); ok {
		files, _ := filepath.Glob(filepath.Join(dir, "reference", "wav-zoo", "files", "*"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b[:min(len(b), fuzzSeedBytes)])
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Decode(bytes.NewReader(b), "fuzz")
		info, perr := probe(bytes.NewReader(b), "fuzz")
		if err == nil && perr != nil {
			t.Fatalf("Decode succeeded but Probe failed: %v", perr)
		}
		if err != nil {
			return
		}
		if c.Info.Channels <= 0 || int64(len(c.Data)) != c.Info.Frames*int64(c.Info.Channels) {
			t.Fatalf("%d samples for %+v", len(c.Data), c.Info)
		}
		if info.Format == FormatWAV || info.Format == FormatAU {
			// Uncompressed: the samples cannot outnumber the bytes, and Probe knows the count.
			if len(c.Data) > len(b) || info != c.Info {
				t.Fatalf("%d samples from %d bytes; Probe %+v, Decode %+v", len(c.Data), len(b), info, c.Info)
			}
		}
	})
}

// sharedDir finds ../shared without skipping: the fuzz target must run without it.
func sharedDir(tb testing.TB) (string, bool) {
	probe := &noSkipTB{TB: tb}
	dir := testshared.Dir(probe)
	return dir, !probe.skipped
}

// noSkipTB turns testshared's Skip into a flag, so that a missing ../shared only removes seeds.
type noSkipTB struct {
	testing.TB
	skipped bool
}

func (n *noSkipTB) Helper()              {}
func (n *noSkipTB) Skip(...any)          { n.skipped = true }
func (n *noSkipTB) Skipf(string, ...any) { n.skipped = true }
func (n *noSkipTB) SkipNow()             { n.skipped = true }

// BenchmarkDecodeWAV decodes a 30 s, 16-bit, 22.05 kHz WAV (mono and stereo) from a file, the
// common case of GTZAN-like datasets; BenchmarkProbeWAV reads its header.
func BenchmarkDecodeWAV(b *testing.B) {
	for _, ch := range []int{1, 2} {
		b.Run(fmt.Sprintf("30s_22050Hz_s16_%dch", ch), func(b *testing.B) {
			p := benchWAV(b, ch)
			b.ResetTimer()
			for b.Loop() {
				if _, err := Load(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeAU decodes GTZAN's original format: 30 s of 16-bit big-endian mono at
// 22.05 kHz in a Sun .au file (decoded by this package's own block decoder).
func BenchmarkDecodeAU(b *testing.B) {
	data := make([]byte, 30*22050*2)
	for i := range len(data) / 2 {
		v := int16(8000 * math.Sin(float64(i)*0.01))
		data[2*i], data[2*i+1] = byte(uint16(v)>>8), byte(v)
	}
	p := filepath.Join(b.TempDir(), "bench.au")
	if err := os.WriteFile(p, auFile(".snd", 3, 22050, 1, data, uint32(len(data))), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Load(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProbeWAV(b *testing.B) {
	p := benchWAV(b, 1)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Probe(p); err != nil {
			b.Fatal(err)
		}
	}
}

func benchWAV(b *testing.B, ch int) string {
	b.Helper()
	const sr = 22050
	data := make([]byte, 30*sr*ch*2)
	for i := range len(data) / 2 {
		v := int16(8000 * math.Sin(float64(i)*0.01))
		data[2*i], data[2*i+1] = byte(v), byte(uint16(v)>>8)
	}
	p := filepath.Join(b.TempDir(), "bench.wav")
	if err := os.WriteFile(p, riffWAV(0, chunk{id: "fmt ", body: fmtBody(wavTagPCM, ch, sr, 16, false, 0)}, chunk{id: "data", body: data}), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	return p
}
