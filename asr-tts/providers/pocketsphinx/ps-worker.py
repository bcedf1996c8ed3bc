"""Pocketsphinx recognition worker for voicebot (asr-tts/providers/pocketsphinx).

Speaks JSON lines: requests on stdin, events on stdout. One process serves many streams, each on
its own Decoder (decoders are pooled and reused). Audio is base64 PCM16 LE mono at 16 kHz.
Arguments: MODEL_DIR [--preload-lm] [--no-rejection] [--extra-dict FILE]... (cmudict-format
pronunciations added; --no-rejection: grammar decoders run without the phone loop, no "llr").
Requests:  {"op": "open", "id": n, "search": "lm" | "jsgf", "jsgf": str, "words": [str],
            "band": "narrow" (8 kHz audio, zero-stuffed) | "wide"}
           {"op": "audio", "id": n, "pcm": b64} | {"op": "flush"|"end"|"close", "id": n}
Events:    {"id": n, "ev": "speech_start"|"final"|"speech_end"|"ended"|"error", ...}
           A grammar-mode final carries "llr": the grammar path's acoustic score minus a free
           phone loop's over the same frames, per frame (see PHONE_LOOP below).
           {"ev": "fatal", "message": str} when the engine cannot start at all.
"""
import array
import atexit
import base64
import json
import os
import random
import sys
import tempfile
import wave

RATE = 16000
FRAME_MS = 10
SKIP = {"<s>", "</s>", "<sil>", "(NULL)", "[NOISE]", "<unk>"}


def is_filler(word):
    return word in SKIP or word.startswith("++")


def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


try:
    from pocketsphinx.pocketsphinx import Decoder
except Exception as e:  # noqa: BLE001
    out({"ev": "fatal", "code": "SPEECH_ENGINE_MISSING", "message": "python3 pocketsphinx module: %s" % e})
    sys.exit(3)

MODEL = sys.argv[1]
HMM = os.path.join(MODEL, "en-us")
DICT = os.path.join(MODEL, "cmudict-en-us.dict")
LM = os.path.join(MODEL, "en-us.lm.bin")
EXTRA = [sys.argv[i + 1] for i, a in enumerate(sys.argv[:-1]) if a == "--extra-dict"]
REJECTION = "--no-rejection" not in sys.argv
# Decoders are pooled per search kind and band (telephone 8 kHz audio, zero-stuffed, or wideband):
# grammar decoders carry the grammar tuning below, telephone ones start from a telephone cepstral
# mean, and a decoder's live mean carries over from one stream to the next of the same kind.
free = {}
with_lm = set()
# Grammar search tuning, measured with the voice-order catalog grammars (bench/voice-order-asr.ts,
# 156 answers): a wider word-exit beam keeps paths to the grammar's end alive (with the default
# beam "two pizzas" came back empty: no path reached the final state), and lower word/phone
# insertion penalties (wip 0.65 -> 0.05, pip 1 -> 0.5) stop noise after an answer from becoming
# extra words ("two pizza and egg"). Answers read right: 133 -> 140 of 156.
GRAMMAR_TUNING = {"-wbeam": 1e-40, "-wip": 0.05, "-pip": 0.5}
# Rejection. A grammar search always ends on some sentence of the grammar, and its word
# posteriors are always 1, so off-menu speech came back as a catalog item. Each grammar decoder
# has a companion decoder fed the same audio (so its features, live cepstral mean and VAD are
# the same frame for frame) that searches a free loop of the model's phones: about the best
# acoustic path with no grammar at all. The grammar path's acoustic score minus the loop's, per
# frame, is small when the words fit the grammar and large (negative) when the grammar forced a
# sentence onto other speech; the adapter turns it into the final's confidence (rejection.ts).
# pocketsphinx's allphone search would be the textbook loop but took 8-50 s per 2.5 s clip here;
# the loop as a JSGF grammar of one-phone words costs about one to two more grammar searches.
# Its language weight is 2, not 6.5: cheaper phone changes let the loop follow the audio more
# closely (voice-order bench, off-menu answers read as items at the same in-grammar loss: 16 ->
# 14 of 70).
PHONES = "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH".split()
LOOP_WORD = "phoneloop_%s"
LOOP_TUNING = {"-lw": 2.0}
PHONE_LOOP = "#JSGF V1.0;\ngrammar phoneloop;\npublic <g> = <p>+ ;\n<p> = %s ;\n" % " | ".join(
    LOOP_WORD % p.lower() for p in PHONES)
# A new decoder's VAD takes its first second of line noise for speech (its noise floor is not
# known yet); decoded, that segment drags the live cepstral mean towards noise, and the answer
# after it is misheard ("talk to a person" -> "pardon" when the caller answers 2 s after the
# stream opened, as in every call: the recognizer listens while the bot speaks). So each new
# telephone decoder first decodes warm-up.wav (espeak-ng en-us, 150 wpm, "hello, I would like
# to order, please", through G.711; the result is thrown away): its VAD learns the line's noise
# and its mean moves to telephone speech. A higher VAD threshold (3.5) also cured it, but lost
# quiet answers on noisy lines (menu phrases at 10 dB SNR: 5/5 -> 3/5).
WARM_UP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "warm-up.wav")
WARM_UP_GRAMMAR = "#JSGF V1.0;\ngrammar warmup;\npublic <g> = hello | order | please ;\n"


def warm_up_audio():
    # warm-up.wav (8 kHz PCM16) as the adapter sends telephone audio: zero-stuffed to 16 kHz
    # with gain 2, plus the comfort noise (uniform, RMS 20).
    with wave.open(WARM_UP, "rb") as w:
        pcm = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        pcm.byteswap()
    rng = random.Random(1)
    amp = 20 * 12 ** 0.5
    out = array.array("h", bytes(4 * len(pcm)))
    for i, v in enumerate(pcm):
        out[2 * i] = max(-32768, min(32767, round(2 * v + (rng.random() - 0.5) * amp)))
        out[2 * i + 1] = max(-32768, min(32767, round((rng.random() - 0.5) * amp)))
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


def warm(engine):
    if not os.path.exists(WARM_UP):
        return
    engine.dec.set_jsgf_string("warmup", WARM_UP_GRAMMAR)
    engine.dec.set_search("warmup")
    engine.start_utt()
    engine.process(warm_up_audio())
    engine.end_utt()


streams = {}
counter = [0]


# The live cepstral mean a telephone decoder starts from. The model's (feat.params -cmninit) is
# for wideband speech; zero-stuffed G.711 audio has a far steeper tilt (c1 about -13, not -5),
# so the first utterance on a new decoder was misheard ("talk to a person" -> "pardon") until
# the mean adapted. Measured: the mean pocketsphinx converged to on espeak-ng voices (en-us,
# en-us+f3, en-us+m3, en-gb) through G.711, averaged.
TELEPHONE_CMN = "50.0,-13.3,7.5,2.4,-0.2,-8.5,-1.9,-7.0,-8.8,2.4,-3.8,1.7,-2.4"
telephone_featparams = []


def featparams_for_telephone():
    # The model's feat.params with the telephone mean (the model's file would override -cmninit).
    if not telephone_featparams:
        src = os.path.join(HMM, "feat.params")
        lines = []
        if os.path.exists(src):
            with open(src, encoding="utf-8") as f:
                lines = [l for l in f.read().splitlines() if not l.startswith("-cmninit")]
        fd, path = tempfile.mkstemp(prefix="voicebot-ps-", suffix=".feat.params")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("\n".join(lines + ["-cmninit " + TELEPHONE_CMN]) + "\n")
        atexit.register(lambda: os.path.exists(path) and os.remove(path))
        telephone_featparams.append(path)
    return telephone_featparams[0]


def make_decoder(band, tuning):
    c = Decoder.default_config()
    c.set_string("-hmm", HMM)
    c.set_string("-dict", DICT)
    c.set_string("-logfn", os.devnull)
    c.set_float("-samprate", RATE)
    for k, v in tuning.items():
        c.set_float(k, v)
    if band == "narrow":
        c.set_string("-featparams", featparams_for_telephone())
    return Decoder(c)


class Engine:
    """A decoder, its phone-loop companion in grammar mode, and the samples fed to them.

    pocketsphinx 5prealpha numbers segment frames from the decoder's creation (through every
    utterance, the warm-up included), not from the utterance: `fed` turns them into times.
    """

    def __init__(self, dec, loop):
        self.dec = dec
        self.loop = loop
        self.fed = 0

    def start_utt(self):
        self.dec.start_utt()
        if self.loop is not None:
            self.loop.start_utt()

    def end_utt(self):
        self.dec.end_utt()
        if self.loop is not None:
            self.loop.end_utt()

    def process(self, pcm):
        self.dec.process_raw(pcm, False, False)
        if self.loop is not None:
            self.loop.process_raw(pcm, False, False)
        self.fed += len(pcm) // 2

    def llr(self):
        """The grammar path's acoustic score minus the phone loop's, per frame (score units)."""
        frames = self.dec.n_frames()
        if self.loop is None or frames <= 0:
            return None
        grammar = sum(s.ascore for s in self.dec.seg())
        loop = sum(s.ascore for s in self.loop.seg())
        return (grammar - loop) / frames


def new_decoder(kind, band, rejection=True):
    dec = make_decoder(band, GRAMMAR_TUNING if kind == "jsgf" else {})
    loop = make_decoder(band, LOOP_TUNING) if kind == "jsgf" and rejection else None
    for d in (dec, loop):
        if d is None:
            continue
        for path in EXTRA:
            with open(path, encoding="utf-8") as f:
                for line in f:
                    parts = line.split(None, 1)
                    if len(parts) == 2 and not parts[0].startswith("#"):
                        d.add_word(parts[0], parts[1].strip(), False)
    if loop is not None:
        for p in PHONES:
            loop.add_word(LOOP_WORD % p.lower(), p, False)
        loop.set_jsgf_string("phoneloop", PHONE_LOOP)
        loop.set_search("phoneloop")
    engine = Engine(dec, loop)
    if band == "narrow":
        warm(engine)
    return engine


class Stream:
    def __init__(self, sid, engine, kind):
        self.id = sid
        self.engine = engine
        self.dec = engine.dec
        self.kind = kind
        # Samples of this stream so far, and the engine's count when the stream opened.
        self.samples = 0
        self.base = engine.fed
        self.in_speech = False

    def start(self):
        self.engine.start_utt()

    def frame_ms(self, frame):
        """A segment frame as media time from the stream's first sample."""
        return frame * FRAME_MS - self.base * 1000 // RATE

    def final(self):
        self.engine.end_utt()
        hyp = self.dec.hyp()
        if hyp is None or not hyp.hypstr.strip():
            return
        lm = self.dec.get_logmath()
        words = []
        for seg in self.dec.seg():
            if is_filler(seg.word):
                continue
            w = seg.word.split("(")[0]
            conf = min(1.0, max(0.0, lm.exp(seg.prob)))
            words.append([w, max(0, self.frame_ms(seg.start_frame)), max(0, self.frame_ms(seg.end_frame + 1)), conf])
        if not words:
            return
        ev = {
            "id": self.id,
            "ev": "final",
            "text": " ".join(w[0] for w in words),
            "confidence": sum(w[3] for w in words) / len(words),
            "startMs": words[0][1],
            "endMs": words[-1][2],
            "words": words,
        }
        llr = self.engine.llr()
        if llr is not None:
            ev["llr"] = round(llr, 3)
        out(ev)


def op_open(req):
    kind = ("jsgf" if req["search"] == "jsgf" else "lm", req.get("band", "narrow"))
    pool = free.setdefault(kind, [])
    engine = pool.pop() if pool else new_decoder(*kind, rejection=REJECTION)
    dec = engine.dec
    if kind[0] == "jsgf":
        missing = [w for w in req.get("words", []) if dec.lookup_word(w) is None]
        if missing:
            pool.append(engine)
            return out({"id": req["id"], "ev": "error", "code": "ASR_BAD_REQUEST",
                        "message": "words not in the pronunciation dictionary: " + ", ".join(missing)})
        counter[0] += 1
        name = "g%d" % counter[0]
        dec.set_jsgf_string(name, req["jsgf"])
        dec.set_search(name)
    else:
        if not os.path.exists(LM):
            pool.append(engine)
            return out({"id": req["id"], "ev": "error", "code": "SPEECH_MODEL_MISSING",
                        "message": "language model %s is missing" % LM})
        if id(dec) not in with_lm:
            dec.set_lm_file("lm", LM)
            with_lm.add(id(dec))
        dec.set_search("lm")
    s = Stream(req["id"], engine, kind)
    streams[s.id] = s
    s.start()


def op_audio(s, req):
    pcm = base64.b64decode(req["pcm"])
    chunk_start = s.samples
    s.engine.process(pcm)
    s.samples += len(pcm) // 2
    speech = s.dec.get_in_speech()
    if speech and not s.in_speech:
        s.in_speech = True
        out({"id": s.id, "ev": "speech_start", "atMs": chunk_start * 1000 // RATE})
    elif not speech and s.in_speech:
        s.in_speech = False
        s.final()
        out({"id": s.id, "ev": "speech_end", "atMs": s.samples * 1000 // RATE})
        s.start()


def release(s):
    streams.pop(s.id, None)
    try:
        s.engine.end_utt()
    except Exception:  # noqa: BLE001
        pass
    free.setdefault(s.kind, []).append(s.engine)


def main():
    try:
        if "--preload-lm" in sys.argv and os.path.exists(LM):
            probe = new_decoder("lm", "narrow")
            probe.dec.set_lm_file("lm", LM)
            with_lm.add(id(probe.dec))
            free[("lm", "narrow")] = [probe]
        else:
            free[("jsgf", "narrow")] = [new_decoder("jsgf", "narrow", rejection=REJECTION)]
    except Exception as e:  # noqa: BLE001
        out({"ev": "fatal", "code": "SPEECH_MODEL_MISSING", "message": "cannot load model from %s: %s" % (MODEL, e)})
        return 3
    out({"ev": "ready"})
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        sid = req.get("id")
        try:
            op = req["op"]
            if op == "open":
                op_open(req)
                continue
            s = streams.get(sid)
            if s is None:
                continue
            if op == "audio":
                op_audio(s, req)
            elif op == "flush":
                s.final()
                s.start()
            elif op == "end":
                s.final()
                if s.in_speech:
                    out({"id": sid, "ev": "speech_end", "atMs": s.samples * 1000 // RATE})
                s.engine.start_utt()
                release(s)
                out({"id": sid, "ev": "ended"})
            elif op == "close":
                release(s)
        except Exception as e:  # noqa: BLE001
            out({"id": sid, "ev": "error", "code": "ASR_FAILED", "message": str(e)})
            s = streams.get(sid)
            if s is not None:
                release(s)
    return 0


sys.exit(main())
