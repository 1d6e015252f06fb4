package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// auFile writes a Sun .au file: magic ".snd" (big-endian) or "dns." (little-endian), a
// 24-byte header and data; size is the data size field.
func auFile(magic string, enc uint32, rate, channels int, data []byte, size uint32) []byte {
	var bo binary.ByteOrder = binary.BigEndian
	if magic == "dns." {
		bo = binary.LittleEndian
	}
	h := make([]byte, 24)
	copy(h, magic)
	bo.PutUint32(h[4:], 24)
	bo.PutUint32(h[8:], size)
	bo.PutUint32(h[12:], enc)
	bo.PutUint32(h[16:], uint32(rate))
	bo.PutUint32(h[20:], uint32(channels))
	return append(h, data...)
}

// TestAUEncodings writes each linear and float encoding in both byte orders and checks every
// sample against libsndfile's conversion (s8 v/2^7, s16 v/2^15, s24 v/2^23, s32
// float32(v)/2^31, floats as stored).
func TestAUEncodings(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	type enc struct {
		code  uint32
		width int
		name  string
		conv  func(u uint64) float32 // from the sample's raw bits
	}
	signed := func(bits int) func(uint64) float32 {
		return func(u uint64) float32 {
			v := int64(u<<(64-bits)) >> (64 - bits)
			return float32(float64(float32(v)) / math.Exp2(float64(bits-1)))
		}
	}
	encs := []enc{
		{2, 1, "pcm_s8", signed(8)},
		{3, 2, "pcm_s16", signed(16)},
		{4, 3, "pcm_s24", signed(24)},
		{5, 4, "pcm_s32", signed(32)},
		{6, 4, "float32", func(u uint64) float32 { return math.Float32frombits(uint32(u)) }},
		{7, 8, "float64", func(u uint64) float32 { return float32(math.Float64frombits(u)) }},
	}
	for _, e := range encs {
		for _, magic := range []string{".snd", "dns."} {
			const ch, frames = 3, 200
			raw := make([]uint64, ch*frames)
			data := make([]byte, len(raw)*e.width)
			for i := range raw {
				u := rng.Uint64() >> (64 - 8*e.width)
				if e.code == 6 || e.code == 7 { // keep floats finite and in range
					f := rng.Float64()*2 - 1
					if e.code == 6 {
						u = uint64(math.Float32bits(float32(f)))
					} else {
						u = math.Float64bits(f)
					}
				}
				raw[i] = u
				for k := range e.width {
					b := byte(u >> (8 * k))
					if magic == ".snd" {
						data[i*e.width+e.width-1-k] = b
					} else {
						data[i*e.width+k] = b
					}
				}
			}
			c, err := Decode(bytes.NewReader(auFile(magic, e.code, 11025, ch, data, uint32(len(data)))), "t.au")
			if err != nil {
				t.Fatalf("%s %s: %v", e.name, magic, err)
			}
			if c.Info.Format != FormatAU || c.Info.Encoding != e.name || c.Info.Frames != frames || c.Info.Channels != ch || c.Info.SampleRate != 11025 {
				t.Fatalf("%s %s: info %+v", e.name, magic, c.Info)
			}
			for i, u := range raw {
				if want := e.conv(u); math.Float32bits(c.Data[i]) != math.Float32bits(want) {
					t.Fatalf("%s %s sample %d: %v, want %v", e.name, magic, i, c.Data[i], want)
				}
			}
		}
	}
}

// TestAUG711 decodes all 256 codes of mu-law (encoding 1) and A-law (27) and compares them
// with the values soundfile 0.12.1 (libsndfile 1.2.0) returns for the same .au files, times
// 32768.
func TestAUG711(t *testing.T) {
	ulaw := [256]int16{
		-32124, -31100, -30076, -29052, -28028, -27004, -25980, -24956, -23932, -22908, -21884, -20860, -19836, -18812, -17788, -16764,
		-15996, -15484, -14972, -14460, -13948, -13436, -12924, -12412, -11900, -11388, -10876, -10364, -9852, -9340, -8828, -8316,
		-7932, -7676, -7420, -7164, -6908, -6652, -6396, -6140, -5884, -5628, -5372, -5116, -4860, -4604, -4348, -4092,
		-3900, -3772, -3644, -3516, -3388, -3260, -3132, -3004, -2876, -2748, -2620, -2492, -2364, -2236, -2108, -1980,
		-1884, -1820, -1756, -1692, -1628, -1564, -1500, -1436, -1372, -1308, -1244, -1180, -1116, -1052, -988, -924,
		-876, -844, -812, -780, -748, -716, -684, -652, -620, -588, -556, -524, -492, -460, -428, -396,
		-372, -356, -340, -324, -308, -292, -276, -260, -244, -228, -212, -196, -180, -164, -148, -132,
		-120, -112, -104, -96, -88, -80, -72, -64, -56, -48, -40, -32, -24, -16, -8, 0,
		32124, 31100, 30076, 29052, 28028, 27004, 25980, 24956, 23932, 22908, 21884, 20860, 19836, 18812, 17788, 16764,
		15996, 15484, 14972, 14460, 13948, 13436, 12924, 12412, 11900, 11388, 10876, 10364, 9852, 9340, 8828, 8316,
		7932, 7676, 7420, 7164, 6908, 6652, 6396, 6140, 5884, 5628, 5372, 5116, 4860, 4604, 4348, 4092,
		3900, 3772, 3644, 3516, 3388, 3260, 3132, 3004, 2876, 2748, 2620, 2492, 2364, 2236, 2108, 1980,
		1884, 1820, 1756, 1692, 1628, 1564, 1500, 1436, 1372, 1308, 1244, 1180, 1116, 1052, 988, 924,
		876, 844, 812, 780, 748, 716, 684, 652, 620, 588, 556, 524, 492, 460, 428, 396,
		372, 356, 340, 324, 308, 292, 276, 260, 244, 228, 212, 196, 180, 164, 148, 132,
		120, 112, 104, 96, 88, 80, 72, 64, 56, 48, 40, 32, 24, 16, 8, 0,
	}
	alaw := [256]int16{
		-5504, -5248, -6016, -5760, -4480, -4224, -4992, -4736, -7552, -7296, -8064, -7808, -6528, -6272, -7040, -6784,
		-2752, -2624, -3008, -2880, -2240, -2112, -2496, -2368, -3776, -3648, -4032, -3904, -3264, -3136, -3520, -3392,
		-22016, -20992, -24064, -23040, -17920, -16896, -19968, -18944, -30208, -29184, -32256, -31232, -26112, -25088, -28160, -27136,
		-11008, -10496, -12032, -11520, -8960, -8448, -9984, -9472, -15104, -14592, -16128, -15616, -13056, -12544, -14080, -13568,
		-344, -328, -376, -360, -280, -264, -312, -296, -472, -456, -504, -488, -408, -392, -440, -424,
		-88, -72, -120, -104, -24, -8, -56, -40, -216, -200, -248, -232, -152, -136, -184, -168,
		-1376, -1312, -1504, -1440, -1120, -1056, -1248, -1184, -1888, -1824, -2016, -1952, -1632, -1568, -1760, -1696,
		-688, -656, -752, -720, -560, -528, -624, -592, -944, -912, -1008, -976, -816, -784, -880, -848,
		5504, 5248, 6016, 5760, 4480, 4224, 4992, 4736, 7552, 7296, 8064, 7808, 6528, 6272, 7040, 6784,
		2752, 2624, 3008, 2880, 2240, 2112, 2496, 2368, 3776, 3648, 4032, 3904, 3264, 3136, 3520, 3392,
		22016, 20992, 24064, 23040, 17920, 16896, 19968, 18944, 30208, 29184, 32256, 31232, 26112, 25088, 28160, 27136,
		11008, 10496, 12032, 11520, 8960, 8448, 9984, 9472, 15104, 14592, 16128, 15616, 13056, 12544, 14080, 13568,
		344, 328, 376, 360, 280, 264, 312, 296, 472, 456, 504, 488, 408, 392, 440, 424,
		88, 72, 120, 104, 24, 8, 56, 40, 216, 200, 248, 232, 152, 136, 184, 168,
		1376, 1312, 1504, 1440, 1120, 1056, 1248, 1184, 1888, 1824, 2016, 1952, 1632, 1568, 1760, 1696,
		688, 656, 752, 720, 560, 528, 624, 592, 944, 912, 1008, 976, 816, 784, 880, 848,
	}
	codes := make([]byte, 256)
	for i := range codes {
		codes[i] = byte(i)
	}
	for _, c := range []struct {
		enc  uint32
		want *[256]int16
	}{{1, &ulaw}, {27, &alaw}} {
		clip, err := Decode(bytes.NewReader(auFile(".snd", c.enc, 8000, 1, codes, 256)), "g711.au")
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range c.want {
			if clip.Data[i] != float32(w)/32768 {
				t.Errorf("encoding %d code %#02x: %v, want %d/32768", c.enc, i, clip.Data[i], w)
			}
		}
	}
}

// TestAUSizes: an unknown (0xFFFFFFFF) or too large data size reads to the end of the file,
// whole frames only, and the header is validated.
func TestAUSizes(t *testing.T) {
	data := make([]byte, 2*2*10+3) // 10 stereo 16-bit frames and 3 stray bytes
	for _, size := range []uint32{auUnknownSize, 1 << 20, uint32(len(data))} {
		c, err := Decode(bytes.NewReader(auFile(".snd", 3, 8000, 2, data, size)), "s.au")
		if err != nil || c.Info.Frames != 10 {
			t.Errorf("size field %#x: %v, info %+v", size, err, c)
		}
	}
	c, err := Decode(bytes.NewReader(auFile(".snd", 3, 8000, 2, data, 8)), "s.au")
	if err != nil || c.Info.Frames != 2 {
		t.Errorf("size field 8: %v, %+v", err, c)
	}
	bad := []struct {
		name string
		file []byte
		is   error
		msg  string
	}{
		{"zero channels", auFile(".snd", 3, 8000, 0, data, 8), ErrMalformed, "channel count is zero"},
		{"zero rate", auFile(".snd", 3, 0, 1, data, 8), ErrMalformed, "sample rate is zero"},
		{"G.721", auFile(".snd", 23, 8000, 1, data, 8), ErrUnsupported, "encoding 23"},
		{"offset inside header", func() []byte { b := auFile(".snd", 3, 8000, 1, data, 8); b[7] = 4; return b }(), ErrMalformed, "data offset"},
		{"offset past the end", func() []byte { b := auFile(".snd", 3, 8000, 1, data, 8); b[5] = 0xff; return b }(), ErrMalformed, "data offset"},
		{"short header", []byte(".snd\x00\x00"), ErrMalformed, "too short"},
	}
	for _, b := range bad {
		_, err := Decode(bytes.NewReader(b.file), "bad.au")
		if err == nil || !errors.Is(err, b.is) || !strings.Contains(err.Error(), b.msg) || !strings.Contains(err.Error(), "bad.au") {
			t.Errorf("%s: error %v, want %v saying %q", b.name, err, b.is, b.msg)
		}
	}
}
