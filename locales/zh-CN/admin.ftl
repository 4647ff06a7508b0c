# 管理界面（templates/admin/*.html、src/views/admin/*.rs、src/http/admin/*.rs）。
# 每条消息都可使用 $site：部署的名称（设置项 site_name）。模板以 HTML 输出的译文可含
# <strong> 或 <code> 标记；参数在放入前都会转义。
# 协议术语在各语言中保持原样：授权类型名（authorization_code、client_credentials）、权限范围名、
# `signing_key`、JWKS、PKCE、HS256/RS256。

## 框架：页头、导航、错误页

admin-label = 管理
admin-nav = 管理
admin-dashboard = 概览
admin-clients = 客户端
admin-users = 用户
admin-tokens = 令牌
admin-keys = 密钥
admin-throttles = 登录限制
admin-audit = 审计日志
admin-title = { $site } 管理
admin-back = 返回概览
admin-your-account = 你的账号
admin-your-account-why = （可在此退出，再以管理员身份登录）
# $fields：出错的表单字段名，与表单中的名称一致。
error-invalid-fields = 以下字段无效：{ $fields }

## 更改后的一行提示（显示在跳转到的页面顶部）

notice-saved = 更改已保存。
notice-enabled = 客户端已启用。
notice-disabled = 客户端已禁用，其刷新令牌已全部撤销。
notice-deleted = 客户端已删除，其刷新令牌已全部撤销。
notice-created = 用户已创建。
notice-password = 密码已设置，该用户的刷新令牌已全部撤销。
notice-revoked = 刷新令牌已撤销。
notice-nothing = 没有可撤销的令牌。
notice-rotated = 新密钥已发布；待 JWKS 缓存有时间获取后，它将开始签名。
notice-retired = 密钥已停用：不再发布，也不再被接受。
notice-cleared = 已清除该限制：该来源的下次登录会立即受理。
notice-nothing-cleared = 没有可清除的限制。

## 多个页面共用的词

status = 状态
status-active = 已启用
status-disabled = 已禁用
status-inactive = 已停用
cancel = 取消
done = 完成
save-changes = 保存更改
form-correct-fields = 请修正下方标出的字段。
separated-by-spaces = 以空格分隔。
server-default = 服务器默认值
# $example：时长示例，如 5m 或 1d，保持原样。
lifetime-placeholder = 服务器默认值，例如 { $example }
filter-any = 全部
filter-apply = 筛选
filter-clear = 清除
filter-show = 显示
filter-all = 全部
facts-details = 详细信息
facts-created = 创建时间
facts-last-used = 最近使用
facts-last-login = 最近登录
facts-outstanding-tokens = 有效令牌
facts-history = 历史记录
pager-label = 分页
pager-previous = 上一页
pager-next = 下一页
# $page、$pages、$total 是已按语言格式化的数字。
pager-summary = 第 { $page } 页，共 { $pages } 页 · 共 { $total } 条

## 时间与时长：$time 是已按语言格式化的日期时间（CLDR）

format-utc = { $time } UTC
format-never = 从未
# $n 用于选择复数形式；$count 是按语言格式化后的同一数字。中文不区分单复数。
format-days = { $count } 天
format-hours = { $count } 小时
format-minutes = { $count } 分钟
format-seconds = { $count } 秒

## 概览：各项数字下方的说明

dashboard-users = 用户
dashboard-clients = 客户端
dashboard-families = 有效的刷新令牌系列
dashboard-logins = 最近 24 小时登录次数
dashboard-failures = 最近 24 小时登录失败次数
dashboard-recent = 最近动态
dashboard-recent-none = 暂无任何动态。
dashboard-whole-audit = 查看完整审计日志
dashboard-signing-key = 签名密钥
dashboard-next-key = 下一个密钥
dashboard-next-key-from = <code>{ $kid }</code>，已发布；自 { $time } 起签名
dashboard-no-key = 目前还没有用于签名的密钥。
# $alg：HS256、HS384 或 HS512。
dashboard-shared-secret = 访问令牌和刷新令牌使用配置的 { $alg } 共享密钥签名；ID 令牌则使用此密钥签名，依赖方通过 JWKS 验证。
dashboard-manage-keys = 管理密钥

## 审计日志

audit-action = 操作
audit-actor = 操作者
audit-actor-placeholder = 用户名或 system
audit-target = 对象
audit-none = 没有事件。
audit-when = 时间
audit-from = 来源地址
audit-details = 详情
# $category：client、user、login、token、key 等（操作名的前缀，保持原样）。
audit-category = 全部 { $category } 事件

## 客户端：列表、表单、密钥、删除

clients-new = 新建客户端
clients-none = 还没有客户端。客户端是可以向 { $site } 申请令牌的应用。
client-name = 名称
client-id = 客户端 ID
client-id-placeholder = 留空则自动生成
client-kind = 类型
# 列表和详细信息中的客户端类型。
kind-confidential = 机密
kind-public = 公开
client-kind-confidential = 机密客户端
client-kind-confidential-help = （能妥善保管密钥的服务器端应用）
client-kind-public = 公开客户端
client-kind-public-help = （浏览器或移动应用；使用 PKCE，没有密钥）
client-grants = 授权类型
client-first-party-badge = 自有应用
client-legacy = 旧式
client-allowed-grants = 允许的授权类型
grant-authorization-code = 授权码
grant-authorization-code-help = （配合 PKCE；推荐的方式）
grant-refresh-token = 刷新令牌
grant-client-credentials = 客户端凭据
grant-client-credentials-help = （服务之间调用）
grant-password = 密码
grant-password-help = （RFC 9700 禁止使用；仅限无法跳转的自有应用）
client-redirect-uris = 重定向 URI
client-redirect-uris-help = 每行一个，须完全匹配。使用 https；127.0.0.1、[::1] 和 localhost 可用 http；不能带 #片段。
client-post-logout-uris = 退出后重定向 URI
client-scopes = 权限范围
client-audience = 受众（aud）
client-access-lifetime = 访问令牌有效期
client-refresh-lifetime = 刷新令牌有效期
client-logo-uri = 徽标 URI
client-logo-uri-help = 应用徽标的 https 地址，显示在授权同意页上。可不填。
client-first-party = 自有应用
client-first-party-help = （你自己的应用：不显示授权同意页）
client-create = 创建客户端
client-secret = 客户端密钥
client-rotate-help = 新密钥会立即取代当前密钥；在应用换上新密钥之前，它将无法使用。
client-rotate = 轮换密钥
client-access = 访问
client-revoke-all = 撤销全部刷新令牌
client-disable = 禁用客户端
client-disable-help = 禁用后它将无法通过认证，其刷新令牌会全部撤销。
client-enable = 启用客户端
client-delete-ellipsis = 删除客户端…
client-delete = 删除客户端
client-delete-title = 删除 { $name }
client-delete-heading = 删除 { $name }？
client-delete-warning = 客户端 <code>{ $client_id }</code> 将被删除，颁发给它的所有刷新令牌都会被撤销，使用它的应用会立即停止工作。此操作无法撤消；如只想暂停使用，请改为禁用。
guide-title = 如何选择设置？
guide-web = 带服务器端的 Web 应用
guide-web-how = 机密客户端；授权码和刷新令牌；将其回调地址填为重定向 URI。
guide-spa = 单页应用或移动应用
guide-spa-how = 公开客户端；授权码（必须使用 PKCE）和刷新令牌。
guide-service = 调用 API 的服务
guide-service-how = 机密客户端；仅客户端凭据，无需重定向 URI。
guide-legacy = 你自己的旧版前端
guide-legacy-how = 机密客户端并设为自有应用；只有在无法跳转到登录页时才使用密码授权。
secret-title = 客户端凭据
secret-rotated-heading = { $name } 的新密钥
secret-registered-heading = { $name } 已注册
secret-copy-now = 请立即复制密钥。它只显示这一次：{ $site } 只保存它的哈希值。如果遗失，请轮换密钥。
secret-public = 公开客户端没有密钥：它通过 PKCE 证明自己的身份。

## 用户

users-new = 新建用户
users-search-placeholder = 用户名、电子邮箱或手机号
users-search-label = 搜索用户
users-search = 搜索
users-none = 还没有用户。
users-no-match = 没有与“{ $search }”匹配的用户。
user-username = 用户名
user-name = 姓名
user-display-name = 显示名称
user-email = 电子邮箱
user-phone = 手机号
user-roles = 角色
user-roles-help = 以空格分隔。拥有 <code>admin</code> 角色即可进入此管理界面。
user-password = 密码
user-password-help = 至少 8 个字符，不能全是数字，不能与用户名相似。
user-active = 启用
user-active-help = （停用的用户无法登录；停用时会撤销其刷新令牌）
user-create = 创建用户
user-id = ID
user-password-set = 密码设置时间
user-reset-password = 重置密码
user-new-password = 新密码
user-reset-revokes = 该用户的刷新令牌会全部撤销。
user-set-password = 设置密码
user-sessions = 会话
user-sessions-help = 让该用户退出所有应用：其刷新令牌将全部失效。
user-revoke-all = 撤销全部令牌

## 刷新令牌

tokens-title = 刷新令牌
tokens-user = 用户
tokens-user-placeholder = 用户名
tokens-client = 客户端
tokens-scope = 权限范围
tokens-signed-in = 登录时间
tokens-last-refreshed = 最近刷新
tokens-expires = 过期时间
tokens-revoke = 撤销
tokens-none = 没有有效的刷新令牌。
# $limit：已按语言格式化的数字。
tokens-limit = 仅显示最近使用的 { $limit } 个令牌系列。
tokens-all = 全部登录会话
tokens-no-user = 没有名为 { $user } 的用户
tokens-of-user = { $user } 的登录会话
tokens-revoke-user = 撤销 { $user } 的全部令牌
tokens-of-client = 通过 { $client } 登录的会话
tokens-revoke-client = 撤销此客户端的全部令牌

## 签名密钥

keys-title = 签名密钥
keys-rotate = 轮换密钥
keys-shared-secret = 访问令牌和刷新令牌使用配置的 { $alg } 共享密钥签名；如需轮换，请修改 <code>signing_key</code>。ID 令牌使用下列密钥签名，依赖方通过 JWKS 验证。
# $ahead：用文字表示的时长（“5 分钟”）。
keys-rotate-help = 轮换会新增一个 { $alg } 密钥。它会立即发布到 JWKS，并在 { $ahead }后开始签名，以便依赖方和资源服务器有时间获取它。一个密钥签发的所有令牌都过期后，即可将其停用。
keys-kid = 密钥 ID
keys-algorithm = 算法
keys-signs-from = 开始签名时间
keys-retire-column = 停用
keys-retire = 停用
key-status-active = 签名中
key-status-published = 已发布
key-status-retired = 已停用
keys-note-signs = 正在签发新令牌
keys-note-until = 令牌有效期至 { $time }

## 登录限制

throttles-title = 登录限制
throttles-help = 最近 24 小时内的登录失败记录，按账号和来源列出。同一来源对某个账号失败 5 次后须等待，等待时间从 1 秒起逐次加倍，最长 15 分钟；其他来源（包括账号本人）不受影响。清除会忘记某一来源在某个账号上的失败记录。
throttles-none = 没有登录失败记录。
throttles-account = 账号
throttles-source = 来源
throttles-failures = 失败次数
throttles-latest = 最近一次
throttles-waiting = 需等待
throttles-limit = 仅显示最近的 { $limit } 条。
# $name：有人输入的、不对应任何账号的名称。
throttles-no-account = { $name }（账号不存在）
throttles-unknown-address = 未知地址
throttles-known-browser = 曾登录过的浏览器，地址 { $address }
throttles-not-waiting = 无
throttles-clear = 清除

## 表单字段被拒绝的原因（显示在字段下方）。$uri、$grant、$role 为输入的原文。

problem-required = 此字段为必填项。
problem-name-required = 请填写名称
problem-username-required = 请填写用户名
problem-too-long = 最多 { $max } 个字符
problem-uri-not-absolute = `{ $uri }` 不是绝对 URI
problem-uri-fragment = `{ $uri }` 不能带片段（#...）
problem-uri-scheme = `{ $uri }` 必须使用 https（只有 127.0.0.1、[::1] 或 localhost 可用 http；原生应用的私有 scheme 须是反向域名，例如 com.example.app:/callback）
problem-uri-private-confidential = `{ $uri }`：私有 scheme 仅限公开客户端（原生应用）使用
problem-uri-private-authority = `{ $uri }`：私有 scheme 后只能跟一个斜杠，例如 com.example.app:/callback
problem-redirect-uri-needed = 授权码方式至少需要一个重定向 URI
problem-scope-syntax = 权限范围只能包含可打印的 ASCII 字符，不能有引号或反斜杠
problem-audience = 只能填一个受众，不含空格，最多 200 个字符
problem-lifetime-range = 须在 1 秒到 366 天之间
problem-lifetime-syntax = 请填写时长，例如 15m、12h 或 30d
problem-client-id-reserved = `new` 是保留名称
problem-client-id-syntax = 只能包含字母、数字和 - . _ ~，最多 64 个字符
problem-kind = 须为机密客户端或公开客户端
problem-unknown-grant = 未知的授权类型 `{ $grant }`
problem-no-grant = 请至少选择一种授权类型
problem-public-client-grant = 公开客户端不能使用密码或客户端凭据授权
problem-client-id-taken = 此客户端 ID 已被使用
problem-taken = 已被其他用户使用
problem-email = 请填写电子邮箱地址，例如 name@example.com
problem-phone = 请填写数字，可以 + 开头，可用空格、短横线或括号分隔，例如 +86 138 0013 8000
problem-role = `{ $role }`：只能包含小写字母、数字和 _ - . :
problem-username = 只能包含字母、数字和 @ . + - _，最多 150 个字符
problem-own-admin-role = 不能移除你自己的管理员角色
problem-own-deactivation = 不能停用你自己
problem-logo-uri = 请填写 https 地址，例如 https://app.example.com/logo.png
# Django 密码校验器的拒绝原因。$attribute：下面 attribute-* 之一；$count 是格式化后的数字。
problem-password-similar = 密码与{ $attribute }太相似。
problem-password-short = 密码太短，至少需要 { $count } 个字符。
problem-password-common = 这个密码太常见了。
problem-password-numeric = 密码不能全是数字。
attribute-username = 用户名
attribute-email = 电子邮箱地址

## 整个操作被拒绝的原因（点击按钮后的页面）

refusal-duplicate-client = 客户端重复
refusal-no-secret = 公开客户端没有可轮换的密钥
refusal-shared-secret = { $alg } 令牌使用配置的 signing_key 签名；请改为修改该设置
refusal-key-retired = 该密钥已停用
refusal-key-signs = 该密钥正在签发新令牌；请先轮换到新密钥
refusal-key-in-use = 此密钥签发的令牌在 { $time } 之前仍然有效；请在此之后再停用
