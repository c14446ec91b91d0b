-- POST /v1/legal-entities with a name no other request of the run uses: wrk runs one Lua state per thread,
-- so each thread numbers its own requests and names carry the thread and the run's prefix. thread_id is the
-- global setup() gives each thread; the Authorization header comes from wrk's -H.
local counter = 0
local prefix = "run"
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_id", next_thread)
end

function init(args)
  prefix = args[1] or prefix
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"name":"Bench %s-%d-%d","country":"DE","currency":"EUR","timezone":"Europe/Berlin"}',
    prefix, thread_id or 0, counter)
  wrk.headers["Content-Type"] = "application/json"
  return wrk.format("POST", "/v1/legal-entities", nil, body)
end
