package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The FLAC, OGG Vorbis and MP3 tests encode a WAV written here with the reference command-line
// encoders and compare the decoded samples with the WAV's. They skip when the encoders are
// missing; on Debian: apt-get install flac vorbis-tools lame.

func needTool(t *testing.T, tool, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Skipf("%s not found (Debian package %s); skipping", tool, pkg)
	}
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// testSignal is 2 s of two tones (one with a slow tremolo), a chirp from 300 Hz to 3 kHz
// (so that no lag but the true one lines the signal up) and a little noise: deterministic,
// quantised to bits, interleaved for ch channels (each channel slightly different).
func testSignal(sr, ch, bits int) []int32 {
	rng := rand.New(rand.NewPCG(7, uint64(sr*ch+bits)))
	n := 2 * sr
	full := float64(int64(1) << (bits - 1))
	out := make([]int32, n*ch)
	for i := range n {
		tt := float64(i) / float64(sr)
		for c := range ch {
			v := 0.3*math.Sin(2*math.Pi*(220+10*float64(c))*tt)*(0.6+0.4*math.Sin(2*math.Pi*0.7*tt)) +
				0.15*math.Sin(2*math.Pi*1234.5*tt+float64(c)) + 0.1*math.Sin(2*math.Pi*(300+675*tt)*tt) + 0.01*rng.NormFloat64()
			out[i*ch+c] = int32(math.Round(v * (full - 1)))
		}
	}
	return out
}

// writePCMWAV writes samples as little-endian integer PCM, with a WAVE_FORMAT_EXTENSIBLE
// header where the encoders insist on one (more than 2 channels or 16 bits).
func writePCMWAV(t *testing.T, path string, samples []int32, sr, ch, bits int) {
	t.Helper()
	width := bits / 8
	data := make([]byte, 0, len(samples)*width)
	for _, s := range samples {
		for k := range width {
			data = append(data, byte(uint32(s)>>(8*k)))
		}
	}
	f := fmtBody(wavTagPCM, ch, sr, bits, false, 0)
	if ch > 2 || bits > 16 {
		f = fmtBody(wavTagExtensible, ch, sr, bits, true, wavTagPCM)
	}
	b := riffWAV(0, chunk{id: "fmt ", body: f}, chunk{id: "data", body: data, pad: true})
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// snrDB compares got with want at lag 0 over their common length.
func snrDB(want, got []float32) float64 {
	var s, e float64
	for i := range min(len(want), len(got)) {
		d := float64(got[i]) - float64(want[i])
		s += float64(want[i]) * float64(want[i])
		e += d * d
	}
	return 10 * math.Log10(s/e)
}

// bestLag is the lag (got delayed by lag samples of the first channel) within maxLag that
// best matches want, by squared error.
func bestLag(want, got []float32, ch, maxLag int) int {
	best, bestErr := 0, math.Inf(1)
	for lag := 0; lag <= maxLag; lag++ {
		var e float64
		for i := 0; i < 20000 && (i+lag)*ch < len(got) && i*ch < len(want); i++ {
			d := float64(got[(i+lag)*ch]) - float64(want[i*ch])
			e += d * d
		}
		if e < bestErr {
			best, bestErr = lag, e
		}
	}
	return best
}

func TestFLACMatchesWAV(t *testing.T) {
	needTool(t, "flac", "flac")
	dir := t.TempDir()
	for _, c := range []struct{ sr, ch, bits int }{{44100, 2, 16}, {22050, 1, 16}, {48000, 3, 24}, {8000, 1, 8}} {
		wavPath := filepath.Join(dir, "in.wav")
		flacPath := filepath.Join(dir, "out.flac")
		writePCMWAV(t, wavPath, testSignal(c.sr, c.ch, c.bits), c.sr, c.ch, c.bits)
		run(t, "flac", "-s", "-f", "--channel-map=none", "-o", flacPath, wavPath)
		want, err := Load(wavPath)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Load(flacPath)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		info, err := Probe(flacPath)
		if err != nil || info != got.Info {
			t.Errorf("%+v: Probe %+v (%v), Load %+v", c, info, err, got.Info)
		}
		if got.Info.Format != FormatFLAC || got.Info.Frames != want.Info.Frames || got.Info.Channels != c.ch || got.Info.BitDepth != c.bits {
			t.Fatalf("%+v: info %+v, WAV %+v", c, got.Info, want.Info)
		}
		for i := range want.Data { // lossless: bit for bit
			if math.Float32bits(got.Data[i]) != math.Float32bits(want.Data[i]) {
				t.Fatalf("%+v: sample %d = %v, WAV %v", c, i, got.Data[i], want.Data[i])
			}
		}
	}
}

func TestVorbisMatchesWAV(t *testing.T) {
	needTool(t, "oggenc", "vorbis-tools")
	dir := t.TempDir()
	for _, c := range []struct{ sr, ch int }{{44100, 2}, {22050, 1}} {
		wavPath := filepath.Join(dir, "in.wav")
		oggPath := filepath.Join(dir, "out.ogg")
		writePCMWAV(t, wavPath, testSignal(c.sr, c.ch, 16), c.sr, c.ch, 16)
		run(t, "oggenc", "-Q", "-q", "6", "-o", oggPath, wavPath)
		want, err := Load(wavPath)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Load(oggPath)
		if err != nil {
			t.Fatal(err)
		}
		if info, err := Probe(oggPath); err != nil || info != got.Info {
			t.Errorf("Probe %+v (%v), Load %+v", info, err, got.Info)
		}
		// Vorbis trims its own priming via granule positions: same length, no delay.
		if got.Info.Frames != want.Info.Frames || got.Info.Channels != c.ch || got.Info.SampleRate != c.sr {
			t.Fatalf("%+v: info %+v, WAV %+v", c, got.Info, want.Info)
		}
		if lag := bestLag(want.Data, got.Data, c.ch, 50); lag != 0 {
			t.Errorf("%+v: decoded audio lags by %d samples", c, lag)
		}
		// Quality 6 is transparent: the tones come back 30 dB above the coding noise.
		if snr := snrDB(want.Data, got.Data); snr < 30 {
			t.Errorf("%+v: SNR %.1f dB, want >= 30", c, snr)
		}
	}
}

func TestMP3MatchesWAV(t *testing.T) {
	needTool(t, "lame", "lame")
	dir := t.TempDir()
	cases := []struct {
		name   string
		sr, ch int
		args   []string
		// lag is where the WAV's audio starts in the decoded output and extra how many more
		// frames the output has: 0 with a LAME header (gapless, like mpg123); without one,
		// the encoder delay (576) plus the decoder delay (529) and the padding of the last frame.
		lag      int
		gapless  bool
		minSNRdB float64
	}{
		{"MPEG-1 stereo", 44100, 2, []string{"-b", "192"}, 0, true, 25},
		{"MPEG-1 mono with ID3v2 tag", 44100, 1, []string{"-b", "128", "--id3v2-only", "--tt", "hark"}, 0, true, 25},
		{"MPEG-2 stereo", 22050, 2, []string{"-b", "64"}, 0, true, 20},
		{"MPEG-1 without LAME header", 44100, 2, []string{"-b", "192", "-t"}, 576 + 529, false, 25},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wavPath := filepath.Join(dir, "in.wav")
			mp3Path := filepath.Join(dir, "out.mp3")
			writePCMWAV(t, wavPath, testSignal(c.sr, c.ch, 16), c.sr, c.ch, 16)
			run(t, "lame", append(append([]string{"--quiet"}, c.args...), wavPath, mp3Path)...)
			want, err := Load(wavPath)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Load(mp3Path)
			if err != nil {
				t.Fatal(err)
			}
			if info, err := Probe(mp3Path); err != nil || info != got.Info {
				t.Errorf("Probe %+v (%v), Load %+v", info, err, got.Info)
			}
			if got.Info.Format != FormatMP3 || got.Info.Channels != c.ch || got.Info.SampleRate != c.sr {
				t.Fatalf("info %+v", got.Info)
			}
			if c.gapless && got.Info.Frames != want.Info.Frames {
				t.Errorf("%d frames, the WAV has %d: gapless trimming is off", got.Info.Frames, want.Info.Frames)
			}
			if !c.gapless && got.Info.Frames <= want.Info.Frames+int64(c.lag) {
				t.Errorf("%d frames: expected the delay and padding on top of %d", got.Info.Frames, want.Info.Frames)
			}
			if lag := bestLag(want.Data, got.Data, c.ch, 3000); lag != c.lag {
				t.Fatalf("audio starts at frame %d of the output, want %d", lag, c.lag)
			}
			if snr := snrDB(want.Data, got.Data[c.lag*c.ch:]); snr < c.minSNRdB {
				t.Errorf("SNR %.1f dB, want >= %.0f", snr, c.minSNRdB)
			}
		})
	}
}

// TestMP3GoMP3FrameSizeBug: an MPEG-2 stream with frames go-mp3 mis-sizes (96 kbit/s at
// 22.05 kHz) is refused with a clear error instead of being decoded to noise.
func TestMP3GoMP3FrameSizeBug(t *testing.T) {
	needTool(t, "lame", "lame")
	dir := t.TempDir()
	wavPath, mp3Path := filepath.Join(dir, "in.wav"), filepath.Join(dir, "out.mp3")
	writePCMWAV(t, wavPath, testSignal(22050, 2, 16), 22050, 2, 16)
	run(t, "lame", "--quiet", "-b", "96", wavPath, mp3Path)
	_, err := Load(mp3Path)
	if !errors.Is(err, ErrUnsupported) || !containsAll(err.Error(), "mis-sizes", "out.mp3") {
		t.Errorf("Load: %v, want ErrUnsupported about go-mp3 mis-sizing frames", err)
	}
}

// TestMP3LayerIIRejected: go-mp3 decodes layer III only; layer II is a clear error.
func TestMP3LayerIIRejected(t *testing.T) {
	b := make([]byte, 4096)
	binary.BigEndian.PutUint32(b, 0xfffd9004) // MPEG-1 layer II, 128 kbit/s, 44.1 kHz
	p := filepath.Join(t.TempDir(), "x.mp2")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p); err == nil || !containsAll(err.Error(), "layer 2", "x.mp2") {
		t.Errorf("layer II: %v", err)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// TestTruncatedCompressed cuts encoded files at 60% and checks libsndfile's behaviour: FLAC
// and OGG Vorbis fail ("flac decoder lost sync"; libsndfile cannot size the Vorbis stream),
// MP3 decodes the frames present -- exactly the start of the full file's decoding, since a
// LAME header's frame count keeps the cut from being trimmed as if it were the end.
func TestTruncatedCompressed(t *testing.T) {
	dir := t.TempDir()
	wavPath := filepath.Join(dir, "in.wav")
	writePCMWAV(t, wavPath, testSignal(44100, 2, 16), 44100, 2, 16)
	encode := map[string]func(out string){
		"flac": func(out string) { run(t, "flac", "-s", "-f", "-o", out, wavPath) },
		"ogg":  func(out string) { run(t, "oggenc", "-Q", "-o", out, wavPath) },
		"mp3":  func(out string) { run(t, "lame", "--quiet", wavPath, out) },
	}
	for ext, tool := range map[string][2]string{"flac": {"flac", "flac"}, "ogg": {"oggenc", "vorbis-tools"}, "mp3": {"lame", "lame"}} {
		t.Run(ext, func(t *testing.T) {
			needTool(t, tool[0], tool[1])
			full := filepath.Join(dir, "full."+ext)
			encode[ext](full)
			b, err := os.ReadFile(full)
			if err != nil {
				t.Fatal(err)
			}
			cut := filepath.Join(dir, "cut."+ext)
			if err := os.WriteFile(cut, b[:len(b)*6/10], 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := Load(cut)
			if ext != "mp3" {
				if !errors.Is(err, ErrMalformed) || !containsAll(err.Error(), "cut short", "cut."+ext) {
					t.Errorf("truncated %s: %v, want ErrMalformed saying it is cut short", ext, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want, err := Load(full)
			if err != nil {
				t.Fatal(err)
			}
			if got.Info.Frames < want.Info.Frames/2 || got.Info.Frames >= want.Info.Frames*7/10 {
				t.Fatalf("%d frames from 60%% of a %d-frame file", got.Info.Frames, want.Info.Frames)
			}
			for i, v := range got.Data {
				if v != want.Data[i] {
					t.Fatalf("sample %d = %v, the full file has %v", i, v, want.Data[i])
				}
			}
		})
	}
}

// TestOGGOtherCodecsRejected: an OGG stream whose first packet is Opus is a clear error.
func TestOGGOtherCodecsRejected(t *testing.T) {
	page := append([]byte("OggS\x00\x02"), make([]byte, 20)...) // version, flags, granule, serial, seq, crc
	page = append(page, 1, 19)                                  // one segment of 19 bytes
	page = append(page, "OpusHead\x01\x02\x38\x01\x80\xbb\x00\x00\x00\x00\x00"...)
	_, err := Decode(bytes.NewReader(page), "x.opus")
	if !errors.Is(err, ErrUnsupported) || !containsAll(err.Error(), "OpusHead", "x.opus") {
		t.Errorf("Opus: %v", err)
	}
}
