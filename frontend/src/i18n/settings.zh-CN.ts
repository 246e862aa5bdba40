/** The system settings pages (modules on and off). */
export default {
  modules: {
    title: '模块',
    hint: '关闭的模块从菜单、页面和接口中隐藏，其提醒暂停发送；数据保留，重新开启后恢复。',
    locked: '始终开启',
    on: '开启',
    off: '关闭',
    confirm_off: '关闭“{name}”后，全公司都看不到它的菜单、页面、报表和提醒（数据保留）。确定关闭吗？',
    confirm_on: '开启“{name}”后，有权限的员工将重新看到它。确定开启吗？',
    confirm_title: '切换模块',
    saved: '模块设置已保存',
    open: '模块设置',
  },
  company: {
    title: '公司信息',
    saved: '公司信息已保存',
    logo: '公司标志',
    remove_logo: '移除标志',
    month: '{n} 月',
    yuan: '1,234.00 元',
    open: '公司信息',
    fields: {
      name: '公司名称',
      short_name: '简称',
      credit_code: '统一社会信用代码',
      address: '地址',
      phone: '电话',
      time_zone: '时区',
      fiscal_year_start: '财年起始月',
      currency_display: '金额显示',
    },
  },
}
