-- The same entity JSON from nginx, as a reference for a static file server.
function response(status)
  if status ~= 200 then print("unexpected status " .. status) end
end
