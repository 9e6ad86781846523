// Words of the console in Chinese and English; the choice is kept in localStorage.
const WORDS = {
  skip: ["跳到正文", "Skip to content"],
  board: ["案件看板", "Case board"],
  queue: ["工作队列", "Work queue"],
  map: ["网格地图", "Grid map"],
  stats: ["统计", "Statistics"],
  login: ["登录", "Sign in"],
  logout: ["退出", "Sign out"],
  other_lang: ["English", "中文"],
  token: ["访问令牌", "Access token"],
  token_help: ["粘贴管理员发给您的令牌。令牌只保存在本标签页中。",
    "Paste the token you were given. It is kept in this browser tab only."],
  bad_token: ["这不是 gridloop 令牌", "This is not a gridloop token"],
  village: ["村/社区", "Village"],
  department: ["部门", "Department"],
  category: ["类别", "Category"],
  level: ["等级", "Level"],
  status: ["状态", "Status"],
  any: ["全部", "Any"],
  open_only: ["仅未办结", "Open only"],
  grid: ["网格", "Grid"],
  created: ["上报时间", "Reported"],
  due: ["期限", "Due"],
  live_on: ["实时更新中", "Live"],
  live_off: ["未连接实时更新", "Not live"],
  no_cases: ["没有案件", "No cases"],
  overdue: ["超期", "Overdue"],
  escalated: ["已升级", "Escalated"],
  new: ["新", "New"],
  details: ["详情", "Details"],
  description: ["描述", "Description"],
  address: ["地址", "Address"],
  channel: ["渠道", "Channel"],
  routing: ["派遣依据", "Routing"],
  photos: ["照片", "Photos"],
  no_photos: ["没有照片", "No photos"],
  timeline: ["处置过程", "Timeline"],
  deadlines: ["时限", "Deadlines"],
  actions: ["可执行操作", "Actions"],
  no_actions: ["您现在不能对此案件执行操作", "Nothing you may do to this case now"],
  version: ["版本", "Version"],
  satisfaction: ["满意度", "Satisfaction"],
  extension_pending: ["待批延期(小时)", "Extension requested (hours)"],
  note: ["备注", "Note"],
  photo: ["照片", "Photo"],
  reason: ["原因", "Reason"],
  score: ["评分(1-5)", "Score (1-5)"],
  comment: ["评价", "Comment"],
  passed: ["核查结果", "Result"],
  pass: ["合格", "Passed"],
  fail: ["不合格", "Failed"],
  hours: ["小时数", "Hours"],
  new_deadline: ["新期限", "New deadline"],
  unit: ["承办部门", "Unit"],
  tier: ["层级", "Tier"],
  into: ["并入案件", "Merge into case"],
  submit: ["提交", "Submit"],
  cancel: ["取消", "Cancel"],
  done: ["已完成：", "Done: "],
  uploading: ["正在上传照片…", "Uploading the photo…"],
  need_photo: ["请附上照片", "Please attach a photo"],
  "act.sign": ["签收", "Sign for"],
  "act.dispose": ["处置完成", "Dispose"],
  "act.return": ["退回", "Return"],
  "act.verify": ["核查", "Verify"],
  "act.evaluate": ["评价", "Evaluate"],
  "act.file": ["结案归档", "File"],
  "act.request-extension": ["申请延期", "Request extension"],
  "act.approve-extension": ["批准延期", "Approve extension"],
  "act.refuse-extension": ["驳回延期", "Refuse extension"],
  "act.escalate": ["升级", "Escalate"],
  "act.redispatch": ["重新派遣", "Redispatch"],
  "act.merge": ["合并", "Merge"],
  "act.invalidate": ["作废", "Invalidate"],
  "act.dispatch": ["派遣", "Dispatch"],
  "act.report": ["上报", "Report"],
  "act.support": ["同题上报", "Same problem reported"],
  "st.reported": ["已上报", "Reported"],
  "st.dispatched": ["已派遣", "Dispatched"],
  "st.signed": ["已签收", "Signed"],
  "st.disposed": ["已处置", "Disposed"],
  "st.verified": ["已核查", "Verified"],
  "st.evaluated": ["已评价", "Evaluated"],
  "st.filed": ["已归档", "Filed"],
  "st.returned": ["已退回", "Returned"],
  "st.merged": ["已合并", "Merged"],
  "st.invalid": ["已作废", "Invalid"],
  "rr.not_ours": ["不属本部门", "Not ours"],
  "rr.wrong_place": ["地点有误", "Wrong place"],
  "rr.duplicate": ["重复", "Duplicate"],
  "rr.insufficient_info": ["信息不足", "Insufficient information"],
  "err.401": ["令牌无效或已过期，请重新登录。", "Your token is not valid any more; please sign in again."],
  "err.403": ["您的角色无权执行此操作。", "Your role may not do this."],
  "err.404": ["找不到该案件，或您无权查看。", "No such case, or it is not yours to see."],
  "err.409": ["案件当前状态不允许此操作，或已被他人更新。", "The case does not allow this now, or someone changed it first."],
  "err.422": ["填写内容有误。", "Something in the form is not right."],
  "err.net": ["无法连接服务。", "The service cannot be reached."],
  "err.other": ["操作失败。", "That did not work."],
  server_said: ["服务器说明：", "The server said: "],
  open_cases: ["未办结", "Open"],
  busiest: ["未办结案件最多的网格", "Grids with the most open cases"],
  households: ["户", "households"],
  overdue_cases: ["超期", "Overdue"],
  none: ["无", "None"],
  by: ["统计维度", "Group by"],
  on_time_rate: ["按时办结率", "On-time rate"],
  time_to_close: ["平均办结时长", "Average time to close"],
  satisfaction_average: ["平均满意度", "Average satisfaction"],
  small_sample: ["浅色：样本过少，不宜排名", "Pale bars: too few cases to rank on"],
  no_data: ["暂无数据", "No figures yet"],
  my_grids: ["我的网格", "My grids"],
  queue_for: ["队列：", "Queue: "],
  no_queue: ["此角色没有工作队列", "This role has no work queue"],
  map_help: ["颜色表示未办结案件数，红色边框表示有超期案件。", "Colour shows open cases; a red outline marks grids with overdue cases."],
  role: ["角色", "Role"],
  loading: ["加载中…", "Loading…"],
  case_id: ["案件编号", "Case"],
  unassigned: ["未指定", "Unassigned"],
  "per.department": ["按部门", "by department"],
  "per.village": ["按村/社区", "by village"],
  "per.grid": ["按网格", "by grid"],
  campaign_coverage: ["专项任务覆盖率", "Campaign coverage"],
  coverage_help: ["已确认户数占应走访户数的比例", "Share of households confirmed out of those due"],
  no_campaigns: ["暂无专项任务", "No campaigns"],
  "role.operator": ["指挥中心", "command centre"],
  "role.department": ["部门", "department"],
  "role.grid_staff": ["网格员", "grid staff"],
  "role.grid_head": ["网格长", "grid head"],
  "role.reporter": ["上报人", "reporter"],
  "role.hotline": ["热线", "hotline"],
  "role.system": ["系统", "system"],
  "role.open311": ["Open311 客户端", "Open311 client"],
  "role.resident": ["居民", "resident"],
  close_form: ["按 Esc 取消", "Esc cancels"],
};

// Chinese unless chosen otherwise or the browser prefers English.
const saved = localStorage.getItem("gridloop.lang");
const preferred = saved || ((navigator.language || "").startsWith("en") ? "en" : "zh");
let current = preferred === "en" ? 1 : 0;

export function t(key) {
  // An unknown key shows its last part, so a new status or action still reads sensibly.
  const pair = WORDS[key];
  return pair ? pair[current] : key.split(".").pop();
}

export function lang() {
  return current === 0 ? "zh" : "en";
}

export function toggle() {
  current = 1 - current;
  localStorage.setItem("gridloop.lang", lang());
  document.documentElement.lang = current === 0 ? "zh-CN" : "en";
}

export function named(item) {
  // A registry entry's name in the chosen language, or its code.
  if (!item) return "";
  return (current === 0 ? item.name_zh : item.name_en) || item.code;
}

export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return date.toLocaleString(current === 0 ? "zh-CN" : "en-GB", {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  });
}

document.documentElement.lang = current === 0 ? "zh-CN" : "en";
