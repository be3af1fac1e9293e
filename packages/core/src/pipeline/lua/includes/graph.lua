--[[
The dependency graph: P (parents) and C (children) id arrays in each record, n = parents not
completed yet. A task runs only when n reaches 0; a parent failed for good cancels every
descendant (z records the failed task, so retrying it can revive them).
]]
local function releaseChildren(meta)
  if not meta.C then return end
  for _, childId in ipairs(meta.C) do
    local child = load(childId)
    if child and child.s == WAITING then
      child.n = (child.n or 1) - 1
      touch(childId)
      if child.n <= 0 then
        child.n = nil
        makeRunnable(childId, child, 'ready')
      end
    end
  end
end

local function cancelOne(id, meta, reason, cause)
  unindex(id, meta)
  meta.E, meta.z, meta.n = reason, cause, nil
  setStatus(id, meta, CANCELLED, 'cancelled', { error = reason, cancelledBy = cause })
end

-- Cancels every open descendant of `rootId`; returns how many.
local function cascadeCancel(rootId, reason)
  local pending, head, count = { rootId }, 1, 0
  while head <= #pending do
    local meta = load(pending[head])
    head = head + 1
    if meta and meta.C then
      for _, childId in ipairs(meta.C) do
        local child = load(childId)
        if child and not isFinal(child.s) then
          cancelOne(childId, child, reason, rootId)
          count = count + 1
          pending[#pending + 1] = childId
        end
      end
    end
  end
  return count
end

-- Parents of `meta` that have not completed; a missing parent was removed by cleanup after it
-- finished, so it counts as done. Returns the count and the first failed or cancelled parent
-- (one cancelled because of `reviving` is about to be revived, so it does not count).
local function openParents(meta, reviving)
  local open, blocked = 0, nil
  for _, parentId in ipairs(meta.P or {}) do
    local parent = load(parentId)
    if parent and parent.s ~= COMPLETED then
      open = open + 1
      local revived = reviving ~= nil and parent.s == CANCELLED and parent.z == reviving
      if blocked == nil and not revived and (parent.s == FAILED or parent.s == CANCELLED) then
        blocked = parentId
      end
    end
  end
  return open, blocked
end

-- After `rootId` was retried: descendants it had cancelled wait for their parents again.
local function reviveDescendants(rootId)
  local pending, head, count = { rootId }, 1, 0
  while head <= #pending do
    local meta = load(pending[head])
    head = head + 1
    if meta and meta.C then
      for _, childId in ipairs(meta.C) do
        local child = load(childId)
        if child and child.s == CANCELLED and child.z == rootId then
          local open, blocked = openParents(child, rootId)
          if blocked then
            -- Another parent failed too: the child stays cancelled, now because of that one.
            child.z = load(blocked).z or blocked
            touch(childId)
          else
            child.z, child.E = nil, nil
            if open > 0 then
              child.n = open
              setStatus(childId, child, WAITING, 'revived')
            else
              makeRunnable(childId, child, 'revived')
            end
            count = count + 1
            pending[#pending + 1] = childId
          end
        end
      end
    end
  end
  return count
end
