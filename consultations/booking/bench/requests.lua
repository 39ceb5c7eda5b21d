-- wrk script of `make bench` (consultations/booking/management/commands/bench_http.py).
--
--   wrk ... -s requests.lua URL -- FILE EXPECT ONCE THREADS
--
-- FILE holds one request a line: METHOD, path, cookie and body, separated by tabs. The lines
-- are shared out between wrk's threads. With ONCE = 1 each line is sent once (every booking or
-- submission must do new work) and a thread stops when its lines run out; else they repeat.
-- A response whose status is not EXPECT counts as an error, printed with the results.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local lines = {}
local next_line = 0
local expected = 200
local once = false
bad = 0

local function split(line)
  local fields = {}
  for field in string.gmatch(line .. "\t", "([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  expected = tonumber(args[2])
  once = args[3] == "1"
  local count = tonumber(args[4])
  local all = {}
  for line in io.lines(args[1]) do
    table.insert(all, split(line))
  end
  for n, fields in ipairs(all) do
    -- A single GET repeated is every thread's; distinct lines are dealt out between them.
    if #all < count or ((n - 1) % count) == id then
      table.insert(lines, fields)
    end
  end
end

local exhausted = false

function request()
  if next_line >= #lines then
    if once then
      -- Every line sent: stop this thread; the connection's last request is a harmless probe.
      exhausted = true
      wrk.thread:stop()
      return wrk.format("GET", "/livez", { ["Host"] = "127.0.0.1" })
    end
    next_line = 0
  end
  next_line = next_line + 1
  local fields = lines[next_line]
  local headers = { ["Cookie"] = fields[3], ["Host"] = "127.0.0.1" }
  if fields[1] == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  return wrk.format(fields[1], fields[2], headers, fields[4] ~= "" and fields[4] or nil)
end

function response(status, headers, body)
  if not exhausted and status ~= expected then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local unexpected = 0
  for _, thread in ipairs(threads) do
    unexpected = unexpected + (thread:get("bad") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p95_us=%d unexpected=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    unexpected, errors.connect + errors.read + errors.write + errors.timeout))
end
