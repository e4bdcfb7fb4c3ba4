-- wrk script: replays pre-built requests from files of raw HTTP/1.1 requests without bodies, each ending
-- with its blank line (bench/run.py's write_requests writes them): thread n reads PATH.n, its own share, so no
-- request (and no signature nonce) is sent twice, and no thread reads the others' requests.
--
-- done() prints one JSON line with the figures wrk's own summary lacks (p99.9, non-2xx) and the rate over the
-- time requests were really being sent. wrk runs each thread's init() in its main thread, one after the other,
-- and starts a thread as soon as its init() returns but its clock only after the last one: when init() read
-- the requests, the first thread sent for seconds before the clock started (measured: 2.3 s with 300,000
-- requests a thread), and those requests counted as sent during the run, which inflated the rate of every case
-- with a large request file (not the reference's, whose file is ten lines). So each thread reads its requests
-- on its first request, in its own thread and alongside the others, and notes when it has them; the rate is
-- the requests over the time from the earliest of those moments to the end of the run.
--
-- There is deliberately no response() callback: wrk would build a Lua table of headers and a body
-- string for every reply, and the garbage collector, walking the large table of requests below on
-- each cycle, made wrk use three times the CPU per request (measured: 46 µs instead of 14), so that
-- on two shared cores the generator, not the server, set the pace. wrk counts replies with a status
-- of 400 or more itself (summary.errors.status); no 1xx or 3xx reply is expected here.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *time);
]]
local timespec = ffi.new("bench_timespec")
local function monotonic_seconds()
  ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC: one clock for every thread
  return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) / 1e9
end

local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  path = args[1] .. "." .. id
  requests = nil
  verified = false
  position = 0
  first_sent = nil
end

-- Each thread reads its requests in its own thread, on its first request: see the top of this file.
local function load()
  local file = assert(io.open(path, "rb"))
  local data = file:read("*a")
  file:close()
  requests = {}
  local start = 1
  while true do
    local blank = string.find(data, "\r\n\r\n", start, true)
    if not blank then break end
    requests[#requests + 1] = string.sub(data, start, blank + 3)
    start = blank + 4
  end
  data = nil
  collectgarbage()
end

function request()
  if not requests then
    if id == 0 and not verified then
      -- wrk's main thread calls the first thread's request() once, to check that it returns a request, and
      -- sends nothing: a fixed one will do, and loading waits for the thread itself.
      verified = true
      return "GET / HTTP/1.1\r\nHost: verify\r\n\r\n"
    end
    load()
    first_sent = monotonic_seconds()
  end
  position = position + 1
  if position > #requests then position = 1 end
  return requests[position]
end

function done(summary, latency, requests)
  local ended = monotonic_seconds()
  local began = ended
  for _, thread in ipairs(threads) do
    local sent = thread:get("first_sent")
    if sent and sent < began then began = sent end
  end
  local seconds = ended - began
  local bad = summary.errors.status
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "wrk_seconds": %.3f, "rps": %.1f, "p50_ms": %.3f, "p99_ms": %.3f, "p999_ms": %.3f, "non2xx": %d, "errors": %d}\n',
    summary.requests, seconds, summary.duration / 1e6, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
