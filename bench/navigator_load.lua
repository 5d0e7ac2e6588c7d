-- wrk script for the navigator load test (driven by bench/navigator_load.py; see there).
--
--   wrk -t2 -c200 -d30s --latency -s bench/navigator_load.lua http://127.0.0.1:PORT -- TURNS_FILE 2
--
-- (the last argument: wrk's -t, so that each thread starts at its own share of the list and paces
-- its share of the rate).
-- TURNS_FILE holds one prepared conversation turn a line: kind TAB path TAB cookie TAB body, the
-- body being the urlencoded POST form (csrfmiddlewaretoken, state, action, answer..., text...)
-- that reproduces the turn. Each thread cycles through all of them from its own offset.
--
-- Pacing: with NAVI_LOAD_RATE=R (turns per second over all threads) in the environment, each thread
-- hands out send times R/threads per second apart to whichever of its connections is free next
-- (think time); a turn that finds no slot in time is sent at once and the schedule restarts from
-- then, so the achieved rate falls below R only when every connection is waiting for the server.
-- Without it (or 0) every connection sends its next turn as soon as the previous answer is in
-- (closed loop, as fast as the server goes). The rate is read from the environment because wrk
-- decides whether a script paces (defines delay) before init() receives the arguments.
--
-- A 200 answer must be a navigator page: with a "state" field, without a notice (a notice means
-- the token was refused or the area was not found: the turn was not reproduced). Others are
-- counted as bad pages; done() prints one line "NAVI_LOAD_RESULT {json}" for the driver.

local rate = tonumber(os.getenv("NAVI_LOAD_RATE") or "0") or 0
local threads = {}
local created = 0

function setup(thread)
   thread:set("thread_number", created)
   created = created + 1
   table.insert(threads, thread)
end

local requests = {}
local position = 0
bad = 0
not_ok = 0

function init(args)
   local path = args[1]
   local thread_count = tonumber(args[2] or "1")
   local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
   for line in io.lines(path) do
      local _kind, target, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      if target then
         headers["Cookie"] = cookie
         requests[#requests + 1] = wrk.format("POST", target, headers, body)
      end
   end
   if #requests == 0 then
      error("no turns in " .. tostring(path))
   end
   position = math.floor(thread_number * #requests / thread_count)
   if rate > 0 then
      interval_ms = 1000.0 * thread_count / rate
   end
end

function request()
   position = position % #requests + 1
   return requests[position]
end

function response(status, headers, body)
   if status ~= 200 then
      not_ok = not_ok + 1
   elseif not body:find('name="state"', 1, true) or body:find('class="errorlist"', 1, true) then
      bad = bad + 1
   end
end

if rate > 0 then
   local ffi = require("ffi")
   ffi.cdef([[
      typedef struct { long tv_sec; long tv_nsec; } navi_timespec;
      int clock_gettime(int clock_id, navi_timespec *tp);
   ]])
   local now_buffer = ffi.new("navi_timespec")
   local function now_ms()
      ffi.C.clock_gettime(1, now_buffer) -- CLOCK_MONOTONIC
      return tonumber(now_buffer.tv_sec) * 1000.0 + tonumber(now_buffer.tv_nsec) / 1e6
   end
   local next_slot = nil

   function delay()
      local now = now_ms()
      if next_slot == nil or next_slot < now then
         next_slot = now
      end
      local wait = next_slot - now
      next_slot = next_slot + interval_ms
      return math.floor(wait + 0.5)
   end
end

function done(summary, latency, requests_stats)
   local bad_total, not_ok_total = 0, 0
   for _, thread in ipairs(threads) do
      bad_total = bad_total + (thread:get("bad") or 0)
      not_ok_total = not_ok_total + (thread:get("not_ok") or 0)
   end
   local percentiles = {}
   for _, p in ipairs({ 50, 75, 90, 95, 99, 99.9 }) do
      percentiles[#percentiles + 1] = string.format('"%s": %.3f', tostring(p), latency:percentile(p) / 1000.0)
   end
   local e = summary.errors
   io.write(
      string.format(
         'NAVI_LOAD_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "errors": {"connect": %d, '
            .. '"read": %d, "write": %d, "status": %d, "timeout": %d}, "not_ok": %d, "bad_pages": %d, '
            .. '"latency_ms": {%s}, "mean_ms": %.3f, "stdev_ms": %.3f, "max_ms": %.3f, "rate": %s}\n',
         summary.requests,
         summary.duration,
         summary.bytes,
         e.connect,
         e.read,
         e.write,
         e.status,
         e.timeout,
         not_ok_total,
         bad_total,
         table.concat(percentiles, ", "),
         latency.mean / 1000.0,
         latency.stdev / 1000.0,
         latency.max / 1000.0,
         tostring(rate)
      )
   )
end
