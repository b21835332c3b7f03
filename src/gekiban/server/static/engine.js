// The audio engine: one AudioContext, the decoded mix and every decoded stem. All sources are
// started together at one context time, so the stems stay sample-aligned with each other and
// with the mix. The listener hears either the mastered mix or the stem bus (the mixer); the
// switch is a gain change on buffers that are already running, so it is seamless.

const FADE = 0.02; // seconds for gain changes, avoids clicks

export class AudioEngine extends EventTarget {
  constructor() {
    super();
    this.ctx = null;
    this.mix = null;          // AudioBuffer
    this.stems = [];          // [{name, buffer, gain: GainNode, volume, muted, soloed}]
    this.loop = false;
    this.source = "mix";      // "mix" | "stems": what the listener hears
    this.playing = false;
    this._sources = [];
    this._startCtx = 0;       // context time at which position 0 would have played
    this._offset = 0;         // position when paused
  }

  context() {
    if (!this.ctx) {
      this.ctx = new AudioContext({ latencyHint: "playback" });
      this.master = this.ctx.createGain();
      this.master.connect(this.ctx.destination);
      this.mixGain = this.ctx.createGain();
      this.mixGain.connect(this.master);
      // The stem bus: the stems summed are the mix before mastering, so they are brought to
      // the mastered level by a make-up gain and kept off 0 dBFS by a fast compressor.
      this.stemBus = this.ctx.createGain();
      this.limiter = this.ctx.createDynamicsCompressor();
      this.limiter.threshold.value = -1.5;
      this.limiter.knee.value = 0;
      this.limiter.ratio.value = 20;
      this.limiter.attack.value = 0.002;
      this.limiter.release.value = 0.1;
      this.stemBus.connect(this.limiter).connect(this.master);
      this._applySource();
    }
    return this.ctx;
  }

  get duration() {
    if (this.mix) return this.mix.duration;
    return this.stems.reduce((d, s) => Math.max(d, s.buffer.duration), 0);
  }

  /** Current position in seconds (wrapped when looping). */
  get position() {
    if (!this.playing) return this._offset;
    const t = Math.max(0, this.ctx.currentTime - this._startCtx);
    const d = this.duration;
    if (this.loop && d > 0) return t % d;
    return Math.min(t, d);
  }

  async decode(bytes) {
    return this.context().decodeAudioData(bytes);
  }

  /** Forget the current track (stops playback). */
  clear() {
    this.stop();
    this.mix = null;
    for (const s of this.stems) s.gain.disconnect();
    this.stems = [];
    this._offset = 0;
    this.setSource("mix");
    this._emit("change");
  }

  setMix(buffer) {
    this.mix = buffer;
    this._emit("change");
  }

  /** Add the decoded stems (in order); restarts playback so they join on the same clock. */
  setStems(list) {
    const ctx = this.context();
    for (const s of this.stems) s.gain.disconnect();
    this.stems = list.map(({ name, buffer }) => {
      const gain = ctx.createGain();
      gain.connect(this.stemBus);
      return { name, buffer, gain, volume: 1, muted: false, soloed: false };
    });
    this._applySource();
    this._applyStemGains();
    if (this.playing) this.seek(this.position);
    this._emit("change");
  }

  // Ratio of the mix's RMS to the summed stems' RMS, measured on a strided sample of both.
  _makeupGain() {
    if (!this.mix || !this.stems.length) return 1;
    const n = Math.min(this.mix.length, ...this.stems.map((s) => s.buffer.length));
    const step = Math.max(1, Math.floor(n / 200000));
    let mixSq = 0, sumSq = 0;
    const mixData = this.mix.getChannelData(0);
    const stemData = this.stems.map((s) => s.buffer.getChannelData(0));
    for (let i = 0; i < n; i += step) {
      let v = 0;
      for (const d of stemData) v += d[i];
      sumSq += v * v;
      mixSq += mixData[i] * mixData[i];
    }
    if (sumSq <= 0) return 1;
    return Math.min(8, Math.max(0.125, Math.sqrt(mixSq / sumSq)));
  }

  setSource(which) {
    this.source = which;
    if (this.ctx) this._applySource();
    this._emit("source");
  }

  _applySource() {
    const t = this.ctx.currentTime;
    this.mixGain.gain.setTargetAtTime(this.source === "mix" ? 1 : 0, t, FADE);
    this.stemBus.gain.cancelScheduledValues(t);
    const bus = this.source === "stems" ? this._makeupGain() : 0;
    this.stemBus.gain.setTargetAtTime(bus, t, FADE);
  }

  setStem(index, changes) {
    Object.assign(this.stems[index], changes);
    this._applyStemGains();
    this._emit("mixer");
  }

  _applyStemGains() {
    const anySolo = this.stems.some((s) => s.soloed);
    const t = this.ctx ? this.ctx.currentTime : 0;
    for (const s of this.stems) {
      const audible = !s.muted && (!anySolo || s.soloed);
      s.gain.gain.setTargetAtTime(audible ? s.volume : 0, t, FADE);
    }
  }

  async play() {
    const ctx = this.context();
    if (ctx.state === "suspended") await ctx.resume();
    if (this.playing || !this.duration) return;
    this._start(this._offset >= this.duration ? 0 : this._offset);
  }

  pause() {
    if (!this.playing) return;
    this._offset = this.position;
    this._stopSources();
    this.playing = false;
    this._emit("state");
  }

  stop() {
    this._stopSources();
    this.playing = false;
    this._offset = 0;
    this._emit("state");
  }

  toggle() {
    return this.playing ? this.pause() : this.play();
  }

  seek(seconds) {
    const pos = Math.max(0, Math.min(seconds, this.duration || 0));
    if (this.playing) {
      this._stopSources();
      this._start(pos);
    } else {
      this._offset = pos;
      this._emit("state");
    }
  }

  setLoop(on) {
    const pos = this.position;
    this.loop = on;
    // Restart from the same place so the position arithmetic and every source agree.
    if (this.playing) this.seek(pos);
    this._emit("state");
  }

  _start(offset) {
    const ctx = this.ctx;
    const when = ctx.currentTime + 0.05; // one start time for every source: they stay in sync
    const make = (buffer, dest) => {
      const src = ctx.createBufferSource();
      src.buffer = buffer;
      src.loop = this.loop;
      if (this.loop) { src.loopStart = 0; src.loopEnd = buffer.duration; }
      src.connect(dest);
      src.start(when, Math.min(offset, buffer.duration));
      return src;
    };
    this._sources = [];
    if (this.mix) this._sources.push(make(this.mix, this.mixGain));
    for (const s of this.stems) this._sources.push(make(s.buffer, s.gain));
    const first = this._sources[0];
    if (first) {
      first.onended = () => {
        if (this._sources[0] !== first || this.loop) return;
        this._sources = [];
        this.playing = false;
        this._offset = 0;
        this._emit("state");
        this._emit("ended");
      };
    }
    this._startCtx = when - offset;
    this.playing = true;
    this._emit("state");
  }

  _stopSources() {
    const old = this._sources;
    this._sources = [];
    for (const s of old) {
      s.onended = null;
      try { s.stop(); } catch { /* never started */ }
      s.disconnect();
    }
  }

  _emit(type) {
    this.dispatchEvent(new Event(type));
  }
}
