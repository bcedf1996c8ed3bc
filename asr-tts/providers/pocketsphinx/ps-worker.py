"""Pocketsphinx recognition worker for voicebot (asr-tts/providers/pocketsphinx).

Speaks JSON lines: requests on stdin, events on stdout. One process serves many streams, each on
its own Decoder (decoders are pooled and reused). Audio is base64 PCM16 LE mono at 16 kHz.
Requests:  {"op": "open", "id": n, "search": "lm" | "jsgf", "jsgf": str, "words": [str]}
           {"op": "audio", "id": n, "pcm": b64} | {"op": "flush"|"end"|"close", "id": n}
Events:    {"id": n, "ev": "speech_start"|"final"|"speech_end"|"ended"|"error", ...}
           {"ev": "fatal", "message": str} when the engine cannot start at all.
"""
import base64
import json
import os
import sys

RATE = 16000
FRAME_MS = 10
SKIP = {"<s>", "</s>", "<sil>", "(NULL)", "[NOISE]", "<unk>"}


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
free = []
with_lm = set()
streams = {}
counter = [0]


def new_decoder():
    c = Decoder.default_config()
    c.set_string("-hmm", HMM)
    c.set_string("-dict", DICT)
    c.set_string("-logfn", os.devnull)
    c.set_float("-samprate", RATE)
    return Decoder(c)


class Stream:
    def __init__(self, sid, dec):
        self.id = sid
        self.dec = dec
        self.samples = 0
        self.utt_start = 0
        self.in_speech = False

    def start(self):
        self.utt_start = self.samples
        self.dec.start_utt()

    def final(self):
        self.dec.end_utt()
        hyp = self.dec.hyp()
        if hyp is None or not hyp.hypstr.strip():
            return
        lm = self.dec.get_logmath()
        base = self.utt_start * 1000 // RATE
        words = []
        for seg in self.dec.seg():
            if seg.word in SKIP or seg.word.startswith("++"):
                continue
            w = seg.word.split("(")[0]
            conf = min(1.0, max(0.0, lm.exp(seg.prob)))
            words.append([w, base + seg.start_frame * FRAME_MS, base + (seg.end_frame + 1) * FRAME_MS, conf])
        if not words:
            return
        out({
            "id": self.id,
            "ev": "final",
            "text": " ".join(w[0] for w in words),
            "confidence": sum(w[3] for w in words) / len(words),
            "startMs": words[0][1],
            "endMs": words[-1][2],
            "words": words,
        })


def op_open(req):
    dec = free.pop() if free else new_decoder()
    if req["search"] == "jsgf":
        missing = [w for w in req.get("words", []) if dec.lookup_word(w) is None]
        if missing:
            free.append(dec)
            return out({"id": req["id"], "ev": "error", "code": "ASR_BAD_REQUEST",
                        "message": "words not in the pronunciation dictionary: " + ", ".join(missing)})
        counter[0] += 1
        name = "g%d" % counter[0]
        dec.set_jsgf_string(name, req["jsgf"])
        dec.set_search(name)
    else:
        if not os.path.exists(LM):
            free.append(dec)
            return out({"id": req["id"], "ev": "error", "code": "SPEECH_MODEL_MISSING",
                        "message": "language model %s is missing" % LM})
        if id(dec) not in with_lm:
            dec.set_lm_file("lm", LM)
            with_lm.add(id(dec))
        dec.set_search("lm")
    s = Stream(req["id"], dec)
    streams[s.id] = s
    s.start()


def op_audio(s, req):
    pcm = base64.b64decode(req["pcm"])
    chunk_start = s.samples
    s.dec.process_raw(pcm, False, False)
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
        s.dec.end_utt()
    except Exception:  # noqa: BLE001
        pass
    free.append(s.dec)


def main():
    try:
        probe = new_decoder()
        if "--preload-lm" in sys.argv and os.path.exists(LM):
            probe.set_lm_file("lm", LM)
            with_lm.add(id(probe))
        free.append(probe)
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
                s.dec.start_utt()
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
