# 公开页面：登录、授权同意、退出、已登录、错误页（src/views.rs、templates/*.html）。
# 译文可含 <strong> 标记；每个参数在放入前都会做 HTML 转义。
# $site 是部署的名称（设置项 site_name，默认为 “Sesame”）。

language-name = 简体中文

login-title = 登录
login-heading = 登录 { $site }
login-continue-to = 以继续使用 <strong>{ $client }</strong>
login-signed-in-as = 你已登录为 <strong>{ $account }</strong>。
login-continue-as = 以 { $account } 继续
login-other-account = 或使用其他账号登录：
login-identifier = 用户名、电子邮箱或手机号
login-password = 密码
login-submit = 登录
login-language = 语言：
login-form-expired = 表单已过期，请重新登录。
login-incomplete = 请输入用户名、电子邮箱或手机号，以及密码。
login-refused = 用户名或密码不正确。

throttled = { $reason }。请在 { $seconds } 秒后重试。
throttle-source = 此客户端对该账号的登录失败次数过多
throttle-address = 此网络地址的登录失败次数过多
throttle-account = 多个地址对该账号的登录失败次数过多

signed-in-title = 已登录
signed-in-heading = 你已登录
signed-in-as = 当前账号：<strong>{ $user }</strong>
sign-out = 退出登录

consent-title = 允许 { $client } 访问？
consent-heading = <strong>{ $client }</strong> 想要使用你的 { $site } 账号
consent-signed-in-as = 已登录为 <strong>{ $user }</strong>
consent-can = 如果你允许，{ $client } 将可以：
consent-deny = 拒绝
consent-allow = 允许
scope-openid = 知道你在 { $site } 上的身份
scope-profile = 查看你的姓名、用户名和头像
scope-email = 查看你的电子邮箱地址
scope-phone = 查看你的手机号码
scope-offline_access = 在你离开时继续保持访问
scope-other = 使用“{ $scope }”权限

logout-title = 退出登录？
logout-heading = 退出 { $site }？
logout-client-asks = <strong>{ $client }</strong> 请求将 <strong>{ $user }</strong> 退出登录。
logout-signed-in-as = 你已登录为 <strong>{ $user }</strong>。
signed-out-title = 已退出登录
signed-out-message = 你已退出 { $site }，可以关闭此窗口。

error-hint = 如果是某个应用把你带到这里，请回到该应用后重试。
error-unavailable-title = 暂时无法使用
error-unavailable = { $site } 目前无法连接数据库，请几秒后重试。
error-wrong-title = 出错了
error-internal = { $site } 无法完成此请求，请稍后重试。
error-admin-internal = 无法完成此更改。请重试；如果仍然失败，请查看服务器日志。
error-cannot-title = 无法完成此请求
error-form-title = 无法读取此表单
error-query = 查询字符串无效：{ $reason }
error-csrf-title = 此表单已过期
error-csrf = 此表单不是从当前会话提交的。请返回，刷新页面后重试。
error-admin-csrf-title = 表单已过期
error-admin-csrf = 此表单不是从当前管理会话提交的。请返回，刷新页面后重试。
error-bad-request-title = 请求有误
error-not-found-title = 未找到
error-not-found = 这里什么都没有，可能已被删除。
error-not-admin-title = 仅限管理员
error-not-admin = 你当前登录的账号是 { $user }，该账号不是管理员。
error-refused-title = 未执行
error-throttled-title = 尝试次数过多

# 表单或查询字符串无法读取的原因。$name：参数名，保持原样。
form-content-type = 表单必须以 application/x-www-form-urlencoded 格式提交。
form-too-large = 表单内容过大。
form-unreadable = 无法读取表单。
form-malformed = 表单数据格式无效。
form-repeated = 参数“{ $name }”重复出现。
form-nul-character = 参数“{ $name }”包含空字符（NUL），任何值都不能包含空字符。
