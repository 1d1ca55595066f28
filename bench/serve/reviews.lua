-- wrk script: POST the AdmissionReview fixtures given as script arguments,
-- alternating between them, to the path in PGADMIT_BENCH_PATH (/validate).
-- Prints one machine-readable line at the end:
--   RESULT requests rps p50_ms p99_ms errors
local bodies = {}
local n = 0
local path = os.getenv("PGADMIT_BENCH_PATH") or "/validate"

function init(args)
	for _, f in ipairs(args) do
		local h = assert(io.open(f, "rb"))
		bodies[#bodies + 1] = h:read("*a")
		h:close()
	end
end

local headers = {["Content-Type"] = "application/json"}

function request()
	n = n + 1
	return wrk.format("POST", path, headers, bodies[(n % #bodies) + 1])
end

function done(summary, latency, requests)
	local e = summary.errors
	local errors = e.connect + e.read + e.write + e.status + e.timeout
	local secs = summary.duration / 1e6
	io.write(string.format("RESULT %d %.0f %.3f %.3f %d\n", summary.requests,
		summary.requests / secs, latency:percentile(50) / 1000,
		latency:percentile(99) / 1000, errors))
end
