-- wrk script: sends `depth` pipelined GET requests per write (wrk -s pipeline.lua ... -- 16).
-- wrk parses every response and counts each one, so req/s counts requests, not writes.
init = function(args)
  local depth = tonumber(args[1]) or 16
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format(nil, "/")
  end
  req = table.concat(r)
end

request = function()
  return req
end
