--[[
Every call starts from fresh state: scripts run it before their own code, library functions
(FUNCTION LOAD keeps top-level values between calls) at the start of each function.
]]
local function begin(KEYS, ARGV)
  beginContext(KEYS, ARGV)
  beginEvents()
  beginRecords()
  beginTransitions()
  beginQueue()
end
