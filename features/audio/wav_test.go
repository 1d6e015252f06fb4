package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// chunk is one RIFF chunk for building test files: its body is written as given, followed by
// a pad byte when pad is set and the body has odd length.
type chunk struct {
	id      string
	body    []byte
	size    uint32 // written size when setSize, else len(body)
	setSize bool
	pad     bool
}

// riffWAV assembles a RIFF/WAVE file from chunks; riffSize 0 means the correct size.
func riffWAV(riffSize uint32, chunks ...chunk) []byte {
	var b bytes.Buffer
	for _, c := range chunks {
		b.WriteString(c.id)
		size := uint32(len(c.body))
		if c.setSize {
			size = c.size
		}
		binary.Write(&b, binary.LittleEndian, size)
		b.Write(c.body)
		if c.pad && len(c.body)%2 == 1 {
			b.WriteByte(0)
		}
	}
	if riffSize == 0 {
		riffSize = uint32(4 + b.Len())
	}
	head := []byte("RIFF....WAVE")
	binary.LittleEndian.PutUint32(head[4:], riffSize)
	return append(head, b.Bytes()...)
}

// fmtBody is a fmt chunk body; ext adds the WAVE_FORMAT_EXTENSIBLE part with subformat sub.
func fmtBody(tag uint16, channels, rate, bits int, ext bool, sub uint16) []byte {
	width := (bits + 7) / 8
	var b bytes.Buffer
	le := binary.LittleEndian
	binary.Write(&b, le, tag)
	binary.Write(&b, le, uint16(channels))
	binary.Write(&b, le, uint32(rate))
	binary.Write(&b, le, uint32(rate*channels*width))
	binary.Write(&b, le, uint16(channels*width))
	binary.Write(&b, le, uint16(bits))
	if ext {
		binary.Write(&b, le, uint16(22))
		binary.Write(&b, le, uint16(bits))
		binary.Write(&b, le, uint32(0))
		binary.Write(&b, le, sub)
		b.WriteString(guidSuffixKS)
	}
	return b.Bytes()
}

func decodeBytes(t *testing.T, b []byte) (*Clip, error) {
	t.Helper()
	return Decode(bytes.NewReader(b), "test.wav")
}

// TestWAVIntegerPCM decodes random integer PCM of every width, plain and extensible, with
// 1..5 channels, and checks each sample against libsndfile's conversion.
func TestWAVIntegerPCM(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, bits := range []int{8, 16, 24, 32} {
		for _, ext := range []bool{false, true} {
			for ch := 1; ch <= 5; ch++ {
				name := fmt.Sprintf("%dbit_%dch_ext%v", bits, ch, ext)
				t.Run(name, func(t *testing.T) {
					frames := 1000 + rng.IntN(100)
					width := bits / 8
					vals := make([]int64, frames*ch)
					data := make([]byte, len(vals)*width)
					for i := range vals {
						u := rng.Uint64() >> (64 - bits)
						// Make the extremes appear: they are where conversions go wrong.
						switch i {
						case 0:
							u = 0
						case 1:
							u = 1<<bits - 1
						case 2:
							u = 1 << (bits - 1)
						}
						for k := range width {
							data[i*width+k] = byte(u >> (8 * k))
						}
						if bits == 8 {
							vals[i] = int64(u) - 128
						} else {
							vals[i] = int64(u<<(64-bits)) >> (64 - bits)
						}
					}
					tag := uint16(wavTagPCM)
					if ext {
						tag = wavTagExtensible
					}
					c, err := decodeBytes(t, riffWAV(0, chunk{id: "fmt ", body: fmtBody(tag, ch, 16000, bits, ext, wavTagPCM)},
						chunk{id: "data", body: data, pad: true}))
					if err != nil {
						t.Fatal(err)
					}
					wantEnc := fmt.Sprintf("pcm_s%d", bits)
					if bits == 8 {
						wantEnc = "pcm_u8"
					}
					if ext {
						wantEnc = "extensible " + wantEnc
					}
					if c.Info.Encoding != wantEnc || c.Info.Channels != ch || c.Info.Frames != int64(frames) || c.Info.BitDepth != bits {
						t.Fatalf("info %+v", c.Info)
					}
					for i, v := range vals {
						want := float32(float64(float32(v)) / math.Exp2(float64(bits-1)))
						if math.Float32bits(c.Data[i]) != math.Float32bits(want) {
							t.Fatalf("sample %d: stored %d, got %v, want %v", i, v, c.Data[i], want)
						}
					}
				})
			}
		}
	}
}

// TestWAVFloat covers IEEE float in 32 and 64 bits: float64 rounds to the nearest float32.
func TestWAVFloat(t *testing.T) {
	vals := []float64{0, 1, -1, 0.1, -0.333333333333, 1e-40, 2.5, math.Pi / 10}
	for _, bits := range []int{32, 64} {
		var data []byte
		for _, v := range vals {
			if bits == 32 {
				data = binary.LittleEndian.AppendUint32(data, math.Float32bits(float32(v)))
			} else {
				data = binary.LittleEndian.AppendUint64(data, math.Float64bits(v))
			}
		}
		c, err := decodeBytes(t, riffWAV(0, chunk{id: "fmt ", body: fmtBody(wavTagFloat, 2, 8000, bits, false, 0)},
			chunk{id: "data", body: data}))
		if err != nil {
			t.Fatal(err)
		}
		if c.Info.Frames != int64(len(vals)/2) || c.Info.Encoding != fmt.Sprintf("float%d", bits) {
			t.Fatalf("info %+v", c.Info)
		}
		for i, v := range vals {
			if c.Data[i] != float32(v) {
				t.Errorf("%d-bit sample %d = %v, want %v", bits, i, c.Data[i], float32(v))
			}
		}
	}
}

// TestWAVG711 checks mu-law and A-law in WAV against values soundfile/libsndfile returns
// (TestAUG711 covers all 256 codes).
func TestWAVG711(t *testing.T) {
	cases := []struct {
		tag  uint16
		in   []byte
		want []int16
	}{
		{wavTagULaw, []byte{0x00, 0x7f, 0x80, 0xff, 0x0f, 0x8f}, []int16{-32124, 0, 32124, 0, -16764, 16764}},
		{wavTagALaw, []byte{0x55, 0xd5, 0x00, 0x80, 0x2a, 0xaa}, []int16{-8, 8, -5504, 5504, -32256, 32256}},
	}
	for _, c := range cases {
		clip, err := decodeBytes(t, riffWAV(0, chunk{id: "fmt ", body: fmtBody(c.tag, 1, 8000, 8, false, 0)},
			chunk{id: "data", body: c.in, pad: true}))
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range c.want {
			if clip.Data[i] != float32(w)/32768 {
				t.Errorf("tag %#x byte %#02x: %v, want %d/32768", c.tag, c.in[i], clip.Data[i], w)
			}
		}
	}
}

// TestWAVChunkLayouts: chunk order, pad bytes, partial frames and the sizes libsndfile
// corrects, each compared with the plain file's samples.
func TestWAVChunkLayouts(t *testing.T) {
	data := make([]byte, 2*2*50) // 50 stereo 16-bit frames
	for i := range data {
		data[i] = byte(i * 7)
	}
	f := chunk{id: "fmt ", body: fmtBody(wavTagPCM, 2, 8000, 16, false, 0)}
	ref, err := decodeBytes(t, riffWAV(0, f, chunk{id: "data", body: data}))
	if err != nil {
		t.Fatal(err)
	}
	list := chunk{id: "LIST", body: []byte("INFOISFT\x03\x00\x00\x00ab\x00"), pad: true}
	cases := []struct {
		name   string
		file   []byte
		frames int
	}{
		{"LIST before fmt", riffWAV(0, list, f, chunk{id: "data", body: data}), 50},
		{"LIST between fmt and data", riffWAV(0, f, list, chunk{id: "data", body: data}), 50},
		{"odd unknown chunk with pad", riffWAV(0, f, chunk{id: "abcd", body: []byte{1, 2, 3}, pad: true}, chunk{id: "data", body: data}), 50},
		{"second fmt ignored", riffWAV(0, f, chunk{id: "fmt ", body: fmtBody(wavTagPCM, 1, 44100, 8, false, 0)}, chunk{id: "data", body: data}), 50},
		{"chunks after data", riffWAV(0, f, chunk{id: "data", body: data}, list), 50},
		{"garbage RIFF size", riffWAV(0xFFFFFFFF, f, chunk{id: "data", body: data}), 50},
		{"data size beyond the file", riffWAV(0, f, chunk{id: "data", body: data, size: 1 << 30, setSize: true}), 50},
		{"data size 0xFFFFFFFF", riffWAV(0, f, chunk{id: "data", body: data, size: 0xFFFFFFFF, setSize: true}), 50},
		{"partial last frame", riffWAV(0, f, chunk{id: "data", body: data[:len(data)-3]}), 49},
		{"file cut inside a sample", riffWAV(0, f, chunk{id: "data", body: data})[:44+len(data)-1], 49},
		{"unclosed writer: RIFF 8, data 0", riffWAV(8, f, chunk{id: "data", body: data, size: 0, setSize: true}), 50},
		{"data size 0", riffWAV(0, f, chunk{id: "data", body: data, size: 0, setSize: true}), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clip, err := decodeBytes(t, c.file)
			if err != nil {
				t.Fatal(err)
			}
			if clip.Info.Frames != int64(c.frames) || len(clip.Data) != 2*c.frames {
				t.Fatalf("%d frames (%d samples), want %d", clip.Info.Frames, len(clip.Data), c.frames)
			}
			for i := range clip.Data {
				if clip.Data[i] != ref.Data[i] {
					t.Fatalf("sample %d = %v, want %v", i, clip.Data[i], ref.Data[i])
				}
			}
		})
	}
	// An odd 8-bit data chunk: the pad byte after it is not a sample (go-audio/wav's own
	// parser would decode it as one).
	u8 := chunk{id: "fmt ", body: fmtBody(wavTagPCM, 1, 8000, 8, false, 0)}
	clip, err := decodeBytes(t, riffWAV(0, u8, chunk{id: "data", body: []byte{128, 255, 0}, pad: true}))
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{0, 127.0 / 128, -1}; len(clip.Data) != 3 || clip.Data[0] != want[0] || clip.Data[1] != want[1] || clip.Data[2] != want[2] {
		t.Errorf("odd 8-bit data: %v, want %v", clip.Data, want)
	}
}

// TestWAVErrors: each broken header is an error that names the file, wraps the right
// sentinel and says what is wrong.
func TestWAVErrors(t *testing.T) {
	data := chunk{id: "data", body: make([]byte, 64)}
	pcm16 := chunk{id: "fmt ", body: fmtBody(wavTagPCM, 1, 8000, 16, false, 0)}
	badGUID := fmtBody(wavTagExtensible, 1, 8000, 16, true, wavTagPCM)
	badGUID[len(badGUID)-1] ^= 0xff
	withRIFX := riffWAV(0, pcm16, data)
	copy(withRIFX, "RIFX")
	cases := []struct {
		name string
		file []byte
		is   error
		msg  string
	}{
		{"no chunks", riffWAV(0), ErrMalformed, "no fmt chunk"},
		{"no data", riffWAV(0, pcm16), ErrMalformed, "no data chunk"},
		{"data before fmt", riffWAV(0, data, pcm16), ErrMalformed, "before the fmt chunk"},
		{"short fmt", riffWAV(0, chunk{id: "fmt ", body: pcm16.body[:14]}, data), ErrMalformed, "shorter than 16"},
		{"zero channels", riffWAV(0, chunk{id: "fmt ", body: fmtBody(wavTagPCM, 0, 8000, 16, false, 0)}, data), ErrMalformed, "channel count is zero"},
		{"2000 channels", riffWAV(0, chunk{id: "fmt ", body: fmtBody(wavTagPCM, 2000, 8000, 16, false, 0)}, data), ErrMalformed, "2000 channels"},
		{"zero rate", riffWAV(0, chunk{id: "fmt ", body: fmtBody(wavTagPCM, 1, 0, 16, false, 0)}, data), ErrMalformed, "sample rate is zero"},
		{"IMA ADPCM", riffWAV(0, chunk{id: "fmt ", body: fmtBody(0x11, 1, 8000, 4, false, 0)}, data), ErrUnsupported, "IMA ADPCM"},
		{"unknown tag", riffWAV(0, chunk{id: "fmt ", body: fmtBody(0x7777, 1, 8000, 16, false, 0)}, data), ErrUnsupported, "0x7777"},
		{"40-bit PCM", riffWAV(0, chunk{id: "fmt ", body: fmtBody(wavTagPCM, 1, 8000, 40, false, 0)}, data), ErrUnsupported, "40-bit PCM"},
		{"16-bit float", riffWAV(0, chunk{id: "fmt ", body: fmtBody(wavTagFloat, 1, 8000, 16, false, 0)}, data), ErrUnsupported, "16-bit IEEE float"},
		{"unknown GUID", riffWAV(0, chunk{id: "fmt ", body: badGUID}, data), ErrUnsupported, "GUID"},
		{"short extensible fmt", riffWAV(0, chunk{id: "fmt ", body: fmtBody(wavTagExtensible, 1, 8000, 16, false, 0)}, data), ErrMalformed, "shorter than 40"},
		{"ambiguous 24 in 32", riffWAV(0, chunk{id: "fmt ", body: func() []byte {
			b := fmtBody(wavTagPCM, 1, 8000, 24, false, 0)
			binary.LittleEndian.PutUint16(b[12:], 4)
			return b
		}()}, data), ErrUnsupported, "ambiguous"},
		{"RIFX", withRIFX, ErrUnsupported, "RIFX"},
		{"fmt chunk claiming 4 GiB", riffWAV(0, chunk{id: "fmt ", body: pcm16.body, size: 0xFFFFFFF0, setSize: true}, data), ErrMalformed, "no data chunk"},
		{"LIST claiming 4 GiB", riffWAV(0, pcm16, chunk{id: "LIST", body: []byte("INFO"), size: 0xFFFFFFF0, setSize: true}, data), ErrMalformed, "no data chunk"},
		{"binary chunk id", riffWAV(0, pcm16, chunk{id: "\x00\x01\x02\x03", body: []byte{1, 2}}, data), ErrMalformed, "no data chunk"},
		{"cut in the fmt chunk", riffWAV(0, pcm16, data)[:30], ErrMalformed, "ends inside the fmt chunk"},
		{"empty file", nil, ErrUnknownFormat, "empty"},
		{"RIFF without WAVE", []byte("RIFF\x04\x00\x00\x00AVI "), ErrUnknownFormat, "leading bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeBytes(t, c.file)
			if err == nil {
				t.Fatal("decoded a broken file")
			}
			if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "test.wav") {
				t.Errorf("error %q: want %v naming test.wav and saying %q", err, c.is, c.msg)
			}
		})
	}
}

// TestProbeMatchesLoad: Probe reports the Info that Load returns, for every format the tests
// can write, and fails where Load fails.
func TestProbeMatchesLoad(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{
		"a.wav":  riffWAV(0, chunk{id: "fmt ", body: fmtBody(wavTagPCM, 2, 22050, 24, false, 0)}, chunk{id: "data", body: make([]byte, 6*100+4)}),
		"b.au":   auFile(".snd", 3, 16000, 1, make([]byte, 200), auUnknownSize),
		"c.wav":  []byte("not audio at all"),
		"au.wav": auFile(".snd", 1, 8000, 2, make([]byte, 11), 11), // named .wav, detected as .au
	}
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		info, perr := Probe(p)
		clip, lerr := Load(p)
		if (perr == nil) != (lerr == nil) {
			t.Fatalf("%s: Probe err %v, Load err %v", name, perr, lerr)
		}
		if lerr != nil {
			continue
		}
		if info != clip.Info {
			t.Errorf("%s: Probe %+v, Load %+v", name, info, clip.Info)
		}
		if int64(len(clip.Data)) != info.Frames*int64(info.Channels) {
			t.Errorf("%s: %d samples for %d frames x %d channels", name, len(clip.Data), info.Frames, info.Channels)
		}
	}
	if _, err := Probe(filepath.Join(dir, "missing.wav")); err == nil || !strings.Contains(err.Error(), "missing.wav") {
		t.Errorf("Probe of a missing file: %v", err)
	}
}
