/** The help icon (issue 20 item 14; merged into the en catalog by i18n/index.ts). */
export default { help: { title: 'Help: the user guide for this page' } }
