-- wrk script for make soak (bench/soak/run.sh): a fixed, weighted mix of
-- reviews, and every answer checked against the class its body must have.
--   wrk ... -s soak.lua URL -- DIR [mix|oversize-cl]
-- DIR holds the bodies run.sh wrote. "mix" (default), per 20 requests: 6
-- allow, 4 deny, 4 warn (POST /validate), 4 mutate (POST /mutate, answered
-- with a JSONPatch), 1 malformed JSON (400), 1 chunked body over
-- --max-body-bytes (413 once the body is read; the connection stays open).
-- "oversize-cl": only bodies over the cap with Content-Length, answered 413
-- from the headers, after which the server closes the connection with the
-- body unread; wrk's socket errors on those connections are deliberate, so
-- run.sh drives them from a wrk of their own.
-- An answer is deliberate when its status and shape match its class;
-- anything else is counted by status as unexpected.
-- Prints, from done():
--   RESULT requests p50_ms p99_ms connect read write timeout unexpected
--   CLASS name sent answered          (one per class)
--   UNEXPECTED status count           (one per unexpected status)
local classes = {
	{name = "allow", path = "/validate", file = "allow.json"},
	{name = "deny", path = "/validate", file = "deny.json"},
	{name = "warn", path = "/validate", file = "warn.json"},
	{name = "mutate", path = "/mutate", file = "mutate.json"},
	{name = "badjson", path = "/validate", file = "bad.json"},
	{name = "oversize", path = "/validate", file = "big.json", chunked = true},
	{name = "oversize-cl", path = "/validate", file = "big.json"},
}
local patterns = {
	mix = {1, 2, 3, 4, 1, 2, 3, 4, 1, 5, 1, 2, 3, 4, 1, 2, 3, 4, 1, 6},
	["oversize-cl"] = {7},
}
local pattern
local reqs = {}
local n = 0
sent, answered, unexpected = {}, {}, {}
local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

-- wrk.format always sets Content-Length: a chunked request is written out.
local function chunked(path, body)
	local parts = {}
	for i = 1, #body, 16384 do
		local c = body:sub(i, i + 16383)
		parts[#parts + 1] = string.format("%x\r\n%s\r\n", #c, c)
	end
	return "POST " .. path .. " HTTP/1.1\r\nHost: localhost\r\n" ..
		"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" ..
		table.concat(parts) .. "0\r\n\r\n"
end

function init(args)
	local dir = args[1]
	pattern = assert(patterns[args[2] or "mix"], "mode: mix or oversize-cl")
	local headers = {["Content-Type"] = "application/json"}
	for i, c in ipairs(classes) do
		local h = assert(io.open(dir .. "/" .. c.file, "rb"))
		local body = h:read("*a")
		h:close()
		reqs[i] = c.chunked and chunked(c.path, body) or wrk.format("POST", c.path, headers, body)
		sent[c.name], answered[c.name] = 0, 0
	end
end

function request()
	n = n + 1
	local i = pattern[(n - 1) % #pattern + 1]
	sent[classes[i].name] = sent[classes[i].name] + 1
	return reqs[i]
end

local function class_of(status, body)
	if status == 400 then return "badjson" end
	if status == 413 then return pattern[1] == 7 and "oversize-cl" or "oversize" end
	if status ~= 200 or not body:find('"kind":"AdmissionReview"', 1, true) then return nil end
	if body:find('"patchType":"JSONPatch"', 1, true) then return "mutate" end
	if body:find('"allowed":false', 1, true) then return "deny" end
	if body:find('"warnings":', 1, true) then return "warn" end
	if body:find('"allowed":true', 1, true) then return "allow" end
	return nil
end

function response(status, headers, body)
	local c = class_of(status, body)
	if c then
		answered[c] = answered[c] + 1
	else
		unexpected[status] = (unexpected[status] or 0) + 1
	end
end

function done(summary, latency, requests)
	local s, a, u = {}, {}, {}
	for _, t in ipairs(threads) do
		for k, v in pairs(t:get("sent")) do s[k] = (s[k] or 0) + v end
		for k, v in pairs(t:get("answered")) do a[k] = (a[k] or 0) + v end
		for k, v in pairs(t:get("unexpected")) do u[k] = (u[k] or 0) + v end
	end
	local nu = 0
	for _, v in pairs(u) do nu = nu + v end
	local e = summary.errors
	io.write(string.format("RESULT %d %.3f %.3f %d %d %d %d %d\n", summary.requests,
		latency:percentile(50) / 1000, latency:percentile(99) / 1000,
		e.connect, e.read, e.write, e.timeout, nu))
	for _, c in ipairs(classes) do
		if (s[c.name] or 0) > 0 then
			io.write(string.format("CLASS %s %d %d\n", c.name, s[c.name], a[c.name] or 0))
		end
	end
	for k, v in pairs(u) do
		io.write(string.format("UNEXPECTED %s %d\n", tostring(k), v))
	end
end
