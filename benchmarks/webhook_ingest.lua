-- wrk script for benchmarks/webhook_ingest.py: sends pre-signed Saleor webhooks, each exactly once.
--
-- The benchmark writes one line per delivery, "<Saleor-Signature>\t<raw body>", to the file named by
-- WEBHOOK_BENCH_FILE. Every wrk thread takes its own slice of the lines (line i goes to thread i % threads),
-- builds its requests once in init() and stops when its slice is answered, so no delivery is sent twice
-- except at most one per connection after a thread's slice ran out (those are counted as duplicates).
-- wrk itself runs for its -d duration, so a finished thread also creates the file <WEBHOOK_BENCH_DONE_DIR>/<id>;
-- the benchmark sends SIGINT once every thread is done, and wrk then reports the real run time.
-- done() prints one JSON line the benchmark parses: requests, duration, non-200 answers, p50/p99 latency.

local thread_count = 0
local threads = {}

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  local file = os.getenv("WEBHOOK_BENCH_FILE")
  local nthreads = tonumber(os.getenv("WEBHOOK_BENCH_THREADS"))
  local path = os.getenv("WEBHOOK_BENCH_PATH")
  local event = os.getenv("WEBHOOK_BENCH_EVENT")
  local api_url = os.getenv("WEBHOOK_BENCH_API_URL")
  requests_ = {}
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == id then
      local tab = line:find("\t", 1, true)
      local signature = line:sub(1, tab - 1)
      local body = line:sub(tab + 1)
      requests_[#requests_ + 1] = wrk.format("POST", path, {
        ["Content-Type"] = "application/json",
        ["Saleor-Event"] = event,
        ["Saleor-Api-Url"] = api_url,
        ["Saleor-Signature"] = signature,
      }, body)
    end
    i = i + 1
  end
  sent = 0
  answered = 0
  non200 = 0
end

function request()
  sent = sent + 1
  return requests_[((sent - 1) % #requests_) + 1]
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then
    non200 = non200 + 1
  end
  if answered == #requests_ then
    local marker = io.open(os.getenv("WEBHOOK_BENCH_DONE_DIR") .. "/" .. id, "w")
    marker:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non200")
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non200": %d, "socket_errors": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max
  ))
end
